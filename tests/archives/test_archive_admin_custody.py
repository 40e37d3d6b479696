"""Security review of issue 10, holes 2 and 3: the admin cannot add or remove a tour's
travellers unrecorded (the travellers inline is read-only; they are picked when the tour
is created, through tour_group_create), and every admin change or history page of
archive data writes exactly one VIEW audit entry."""

import datetime

import pytest
from django.urls import reverse

from archives.models import DestructionRecord, RetentionChange, TourGroupBooking
from archives.services import tour_group_create, tour_group_update
from customers.models import AuditAction, AuditEntry
from tests.archives.factories import TourGroupFactory, archive_for
from tests.archives.test_keep_until_changes import _FormFields
from tests.factories import BookingFactory

pytestmark = pytest.mark.django_db


def travellers(tour) -> set[int]:
    return set(TourGroupBooking.objects.filter(tour=tour).values_list("booking_id", flat=True))


def form_fields(page) -> dict[str, str]:
    fields = _FormFields()
    fields.feed(page.text)
    return fields.data


def inline_prefix(data: dict[str, str]) -> str:
    (total,) = [name for name in data if name.endswith("-TOTAL_FORMS")]
    return total.removesuffix("-TOTAL_FORMS")


def test_the_travellers_inline_offers_no_add_change_or_delete(
    customer_of_sales1, custodian1, client_as
):
    archive = archive_for(customer_of_sales1)
    page = client_as(custodian1).get(
        reverse("admin:archives_tourgroup_change", args=[archive.tour.pk])
    )
    assert page.status_code == 200
    prefix = inline_prefix(form_fields(page))
    assert f'name="{prefix}-0-DELETE"' not in page.text
    assert f'name="{prefix}-0-booking"' not in page.text  # shown, not editable
    assert f'name="{prefix}-MAX_NUM_FORMS" value="0"' in page.text  # no "Add another"
    assert str(archive.tour.group_number) in page.text


def test_a_forged_post_neither_removes_nor_adds_travellers(
    customer_of_sales1, custodian1, client_as
):
    archive = archive_for(customer_of_sales1)
    tour = archive.tour
    before = travellers(tour)
    stranger = BookingFactory(customer=customer_of_sales1)
    client = client_as(custodian1)
    url = reverse("admin:archives_tourgroup_change", args=[tour.pk])
    data = form_fields(client.get(url))
    prefix = inline_prefix(data)
    link = TourGroupBooking.objects.get(tour=tour)
    data.update({
        f"{prefix}-TOTAL_FORMS": "2",
        f"{prefix}-0-id": str(link.pk),
        f"{prefix}-0-tour": str(tour.pk),
        f"{prefix}-0-booking": str(stranger.pk),  # swap the traveller
        f"{prefix}-0-DELETE": "on",  # or remove them
        f"{prefix}-1-tour": str(tour.pk),
        f"{prefix}-1-booking": str(stranger.pk),  # or add one
        "_save": "Save",
    })  # fmt: skip
    response = client.post(url, data)
    assert response.status_code in (200, 302)
    assert travellers(tour) == before
    assert not TourGroupBooking.objects.filter(booking=stranger).exists()


def test_a_tour_added_in_the_admin_gets_no_forged_travellers(
    customer_of_sales1, custodian1, client_as
):
    stranger = BookingFactory(customer=customer_of_sales1)
    client = client_as(custodian1)
    url = reverse("admin:archives_tourgroup_add")
    data = form_fields(client.get(url))
    prefix = inline_prefix(data)
    data.update({
        "group_number": "SH2026-9001", "product": "三亚五日游", "trip_type": "domestic",
        "start_date": "2026-03-01", "end_date": "2026-03-05", "head_count": "2",
        f"{prefix}-TOTAL_FORMS": "1", f"{prefix}-0-booking": str(stranger.pk),
        "_save": "Save",
    })  # fmt: skip
    response = client.post(url, data)
    assert response.status_code == 302
    assert not TourGroupBooking.objects.filter(booking=stranger).exists()


@pytest.fixture
def archive_pages(customer_of_sales1, custodian1):
    """Each admin page of archive data: (url name, object) for its change and history."""
    archive = archive_for(customer_of_sales1)
    tour = tour_group_create(
        actor=custodian1,
        tour=TourGroupFactory.build(
            created_by=None,
            start_date=datetime.date(2024, 3, 1),
            end_date=datetime.date(2031, 3, 5),
        ),
    )
    tour.end_date = datetime.date(2024, 3, 5)
    tour_group_update(actor=custodian1, tour=tour, reason="团号录入错误")
    change = RetentionChange.objects.get(archive=tour.archive)
    record = DestructionRecord.objects.create(
        archive=archive,
        group_number=archive.tour.group_number,
        trip_type=archive.tour.trip_type,
        tour_end=archive.tour.end_date,
        retention_end=archive.retention_end,
        approved_by=custodian1,
        reason="保管期满",
        document_count=0,
        file_count=0,
        paper_count=0,
        kinds=[],
        paper_locations=[],
        travellers_unlinked=1,
    )
    return {
        "tourgroup": archive.tour,
        "businessarchive": archive,
        "destructionrecord": record,
        "retentionchange": change,
    }


@pytest.mark.parametrize("model", ["tourgroup", "businessarchive", "destructionrecord",
                                   "retentionchange"])  # fmt: skip
@pytest.mark.parametrize(("page", "via"), [("change", "admin"), ("history", "admin-history")])
def test_each_admin_page_of_archive_data_writes_one_view_entry(
    archive_pages, model, page, via, custodian1, client_as
):
    obj = archive_pages[model]
    client = client_as(custodian1)
    before = AuditEntry.objects.count()
    response = client.get(reverse(f"admin:archives_{model}_{page}", args=[obj.pk]))
    assert response.status_code == 200
    entries = AuditEntry.objects.order_by("pk")[before:]
    assert [(e.action, e.object_type, e.object_id, e.actor) for e in entries] == [
        (AuditAction.VIEW, model, str(obj.pk), custodian1)
    ]
    assert entries[0].detail == {"via": via}
