import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from archives.models import ArchiveStatus, BusinessArchive, DocumentKind, DocumentRequirement
from customers.models import AuditAction, AuditEntry
from tests.archives.factories import MINIMAL_PDF, ArchiveDocumentFactory, archive_for
from tests.factories import BookingFactory, CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def archive(customer_of_sales1):
    return archive_for(customer_of_sales1, group_number="SH2024-0301")


@pytest.fixture
def document(archive, sales1):
    return ArchiveDocumentFactory(
        archive=archive, uploaded_by=sales1, original_filename="旅游合同 HT-001.pdf"
    )


def audit_count(action, obj) -> int:
    return AuditEntry.objects.filter(
        action=action, object_type=obj._meta.model_name, object_id=str(obj.pk)
    ).count()


# Who may open an archive and download its documents (DOMAIN.md §2: only the people
# responsible for a customer; custodians and managers all). Out of scope is 404.
ACCESS = [
    ("sales1", 200),  # owns the customer the tour carried
    ("sales2", 404),  # same team, not the owner
    ("sales3", 404),  # another team
    ("lead1", 200),  # lead of the owner's team
    ("manager1", 200),
    ("custodian1", 200),
]


@pytest.mark.parametrize(("username", "status"), ACCESS)
def test_download_permission_matrix(staff, document, client_as, username, status):
    response = client_as(staff[username]).get(reverse("archives:download", args=[document.pk]))
    assert response.status_code == status
    assert audit_count(AuditAction.DOWNLOAD, document) == (1 if status == 200 else 0)
    if status == 200:
        assert b"".join(response.streaming_content) == MINIMAL_PDF
        disposition = response["Content-Disposition"]
        assert disposition.startswith("attachment;")
        assert "filename*=utf-8''" in disposition  # the original, Chinese, file name
        assert response["Content-Type"] == "application/pdf"


@pytest.mark.parametrize(("username", "status"), ACCESS)
def test_archive_page_permission_matrix(staff, archive, client_as, username, status):
    response = client_as(staff[username]).get(reverse("archives:detail", args=[archive.pk]))
    assert response.status_code == status
    assert audit_count(AuditAction.VIEW, archive) == (1 if status == 200 else 0)


def test_anonymous_visitors_are_sent_to_log_in(document, archive, client):
    for url in (
        reverse("archives:download", args=[document.pk]),
        reverse("archives:detail", args=[archive.pk]),
        reverse("archives:list"),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    assert AuditEntry.objects.count() == 0


def test_each_view_and_download_writes_exactly_one_audit_entry(
    archive, document, sales1, client_as
):
    client = client_as(sales1)
    client.get(reverse("archives:detail", args=[archive.pk]))
    client.get(reverse("archives:download", args=[document.pk]))
    client.get(reverse("archives:download", args=[document.pk]))
    view = AuditEntry.objects.get(action=AuditAction.VIEW)
    assert (view.object_type, view.object_id, view.actor) == (
        "businessarchive",
        str(archive.pk),
        sales1,
    )
    downloads = AuditEntry.objects.filter(action=AuditAction.DOWNLOAD)
    assert downloads.count() == 2
    assert {entry.object_id for entry in downloads} == {str(document.pk)}


def test_the_page_shows_the_twelve_row_checklist(archive, document, sales1, client_as):
    response = client_as(sales1).get(reverse("archives:detail", args=[archive.pk]))
    checklist = response.context["checklist"]
    assert [row.kind for row in checklist] == DocumentKind.values
    by_kind = {row.kind: row for row in checklist}
    assert by_kind[DocumentKind.TRAVEL_CONTRACT].present
    assert by_kind[DocumentKind.ITINERARY].missing
    assert not by_kind[DocumentKind.AGENCY_CONTRACT].required
    assert len(response.context["missing"]) == 9
    assert "旅游合同 HT-001.pdf" in response.text


def test_the_checklist_takes_a_constant_number_of_queries(archive, sales1):
    from archives.selectors import archive_checklist

    ArchiveDocumentFactory.create_batch(5, archive=archive, uploaded_by=sales1)
    with CaptureQueriesContext(connection) as queries:
        archive_checklist(archive=archive)
    assert len(queries) == 2


def test_archived_is_refused_while_required_documents_are_missing(
    archive, document, custodian1, client_as
):
    client = client_as(custodian1)
    response = client.post(reverse("archives:close", args=[archive.pk]), follow=True)
    assert "cannot be marked archived: missing Traveller list, Itinerary" in response.text
    assert "Agency contract" not in response.text.split("missing Traveller list")[1].split("<")[0]
    archive.refresh_from_db()
    assert archive.status == ArchiveStatus.OPEN

    required = DocumentRequirement.objects.filter(required=True).exclude(kind=document.kind)
    for requirement in required:
        ArchiveDocumentFactory(archive=archive, kind=requirement.kind, file="",
                               paper_location="档案室 1号柜")  # fmt: skip
    response = client.post(reverse("archives:close", args=[archive.pk]), follow=True)
    assert "The archive is marked archived." in response.text
    archive.refresh_from_db()
    assert archive.status == ArchiveStatus.ARCHIVED and archive.archived_by == custodian1


def test_a_rep_cannot_mark_an_archive_archived(archive, sales1, client_as):
    client = client_as(sales1)
    page = client.get(reverse("archives:detail", args=[archive.pk]))
    assert 'data-testid="mark-archived"' not in page.text
    assert client.post(reverse("archives:close", args=[archive.pk])).status_code == 403


def make_archives(owner, count: int) -> None:
    for _ in range(count):
        archive = archive_for(CustomerFactory(owner=owner))
        ArchiveDocumentFactory(archive=archive, uploaded_by=owner)


def test_the_list_takes_the_same_number_of_queries_for_3_or_30_archives(sales1, client_as):
    client = client_as(sales1)
    url = reverse("archives:list")
    make_archives(sales1, 3)
    client.get(url)  # warm the session
    with CaptureQueriesContext(connection) as few:
        assert len(client.get(url).context["page"]) == 3
    make_archives(sales1, 22)
    with CaptureQueriesContext(connection) as many:
        assert len(client.get(url, {"missing": "true"}).context["page"]) == 25
    assert len(many) == len(few)


def test_the_list_shows_only_visible_archives_and_filters(
    sales1, sales3, customer_of_sales1, customer_of_sales3, client_as
):
    complete = archive_for(customer_of_sales1, group_number="SH-COMPLETE")
    for requirement in DocumentRequirement.objects.filter(required=True):
        ArchiveDocumentFactory(archive=complete, kind=requirement.kind, uploaded_by=sales1)
    archive_for(customer_of_sales1, group_number="SH-GAPS", trip_type="outbound")
    archive_for(customer_of_sales3, group_number="BJ-OTHER")
    client = client_as(sales1)
    url = reverse("archives:list")

    def groups(**params):
        page = client.get(url, params).context["page"]
        return {archive.tour.group_number for archive in page}

    assert groups() == {"SH-COMPLETE", "SH-GAPS"}
    assert groups(missing="true") == {"SH-GAPS"}
    assert groups(missing="false") == {"SH-COMPLETE"}
    assert groups(trip_type="outbound") == {"SH-GAPS"}
    assert groups(group_number="complete") == {"SH-COMPLETE"}
    assert groups(status="archived") == set()


def test_a_rep_creates_a_tour_group_from_own_bookings(
    sales1, sales3, customer_of_sales1, customer_of_sales3, client_as
):
    own = BookingFactory(customer=customer_of_sales1)
    other = BookingFactory(customer=customer_of_sales3)
    client = client_as(sales1)
    url = reverse("archives:tour_create")
    page = client.get(url)
    assert customer_of_sales1.name in page.text and customer_of_sales3.name not in page.text
    data = {"group_number": "SH2026-0301", "product": "三亚五日游", "trip_type": "domestic",
            "start_date": "2026-03-01", "end_date": "2026-03-05", "head_count": 2,
            "ground_agency": "海韵地接", "guide": "陈导"}  # fmt: skip
    refused = client.post(url, {**data, "bookings": [other.pk]})
    assert refused.status_code == 200 and "Select a valid choice" in refused.text
    backwards = client.post(url, {**data, "end_date": "2026-02-27", "bookings": [own.pk]})
    assert "The tour cannot end before it starts." in backwards.text
    response = client.post(url, {**data, "bookings": [own.pk]})
    archive = BusinessArchive.objects.get(tour__group_number="SH2026-0301")
    assert response["Location"] == reverse("archives:detail", args=[archive.pk])
    assert archive.retention_end == datetime.date(2028, 3, 5)
    assert list(archive.tour.bookings.all()) == [own]
    assert AuditEntry.objects.filter(action=AuditAction.CREATE, object_id=str(archive.pk)).exists()


def test_finance_cannot_create_tour_groups(finance1, client_as):
    assert client_as(finance1).get(reverse("archives:tour_create")).status_code == 403
