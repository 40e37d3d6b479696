"""Factories for the archives app. A TourGroupFactory opens its archive the way the
service does (BusinessArchiveFactory), with the default retention for its trip type."""

import datetime

import factory
from django.core.files.uploadedfile import SimpleUploadedFile

from archives.models import (
    ArchiveDocument,
    BusinessArchive,
    DocumentKind,
    TourGroup,
    TourGroupBooking,
)
from archives.services import add_years
from customers.models import TripType
from tests.archives.documents import pdf_bytes
from tests.factories import BookingFactory, UserFactory

# A real one-page PDF: uploads are parsed, and a PDF without pages is refused.
MINIMAL_PDF = pdf_bytes()


def pdf_upload(name: str = "contract.pdf", content: bytes = MINIMAL_PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


class TourGroupFactory(factory.django.DjangoModelFactory[TourGroup]):
    class Meta:
        model = TourGroup
        skip_postgeneration_save = True

    group_number = factory.Sequence(lambda n: f"SH2024-{n:04d}")
    product = "三亚五日游"
    trip_type = TripType.DOMESTIC
    start_date = datetime.date(2024, 3, 1)
    end_date = datetime.date(2024, 3, 5)
    head_count = 2
    ground_agency = "三亚海韵地接社"
    guide = "导游 陈晓明"
    created_by = factory.SubFactory(UserFactory)

    @factory.post_generation
    def bookings(self, create, extracted, **kwargs):
        if create and extracted:
            TourGroupBooking.objects.bulk_create(
                TourGroupBooking(tour=self, booking=booking) for booking in extracted
            )


class BusinessArchiveFactory(factory.django.DjangoModelFactory[BusinessArchive]):
    class Meta:
        model = BusinessArchive

    tour = factory.SubFactory(TourGroupFactory)
    retention_years = factory.LazyAttribute(
        lambda a: 3 if a.tour.trip_type == TripType.OUTBOUND else 2
    )
    retention_end = factory.LazyAttribute(lambda a: add_years(a.tour.end_date, a.retention_years))


def archive_for(customer, **tour_fields) -> BusinessArchive:
    """An archive whose tour carried one booking of `customer`."""
    booking = BookingFactory(customer=customer)
    tour = TourGroupFactory(bookings=[booking], **tour_fields)
    return BusinessArchiveFactory(tour=tour)


class ArchiveDocumentFactory(factory.django.DjangoModelFactory[ArchiveDocument]):
    """A document with a small PDF file; pass file="" and paper_location=... for paper."""

    class Meta:
        model = ArchiveDocument

    archive = factory.SubFactory(BusinessArchiveFactory)
    kind = DocumentKind.TRAVEL_CONTRACT
    file = factory.LazyFunction(pdf_upload)
    original_filename = "contract.pdf"
    size = len(MINIMAL_PDF)
    content_type = "application/pdf"
    reference = factory.Sequence(lambda n: f"HT-2024-{n:05d}")
    uploaded_by = factory.SubFactory(UserFactory)
