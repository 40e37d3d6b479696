import datetime

import pytest
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from archives.models import (
    ArchiveDocument,
    ArchiveStatus,
    BusinessArchive,
    DestructionRecord,
    DocumentKind,
    TourGroupBooking,
)
from archives.services import ANONYMISED, archive_destroy, archive_legal_hold_set
from customers.models import AuditAction, AuditEntry, Booking
from tests.archives.conftest import stored_files
from tests.archives.factories import ArchiveDocumentFactory, archive_for

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 23)
DAY = datetime.timedelta(days=1)
CHANGELIST = "admin:archives_businessarchive_changelist"


@pytest.fixture
def expired(customer_of_sales1, sales1):
    """An archive whose retention ended yesterday, with two files and a paper original."""
    archive = archive_for(customer_of_sales1, group_number="SH2024-0042")
    archive.retention_end = TODAY - DAY
    archive.save()
    ArchiveDocumentFactory(archive=archive, uploaded_by=sales1, original_filename="合同.pdf")
    ArchiveDocumentFactory(archive=archive, uploaded_by=sales1, kind=DocumentKind.ITINERARY)
    ArchiveDocumentFactory(archive=archive, uploaded_by=sales1, kind=DocumentKind.INSURANCE,
                           file="", paper_location="档案室 2号柜")  # fmt: skip
    return archive


def destroy(archive, actor, *, today=TODAY):
    return archive_destroy(actor=actor, archive=archive, reason="保存期满，按制度销毁", today=today)


def test_destruction_deletes_files_anonymises_and_keeps_a_record(
    expired, custodian1, private_media, django_capture_on_commit_callbacks
):
    bookings = list(expired.tour.bookings.all())
    assert len(stored_files(private_media)) == 2
    with django_capture_on_commit_callbacks(execute=True):
        record = destroy(expired, custodian1)
    assert stored_files(private_media) == []
    assert ArchiveDocument.objects.count() == 0
    expired.refresh_from_db()
    expired.tour.refresh_from_db()
    assert expired.status == ArchiveStatus.DESTROYED and expired.destroyed_at
    assert expired.tour.guide == ANONYMISED
    assert expired.tour.group_number == "SH2024-0042"
    assert TourGroupBooking.objects.count() == 0
    assert Booking.objects.filter(pk__in=[b.pk for b in bookings]).count() == len(bookings)
    assert (record.group_number, record.approved_by, record.document_count, record.file_count,
            record.paper_count) == ("SH2024-0042", custodian1, 3, 2, 1)  # fmt: skip
    assert record.kinds == {"travel_contract": 1, "itinerary": 1, "insurance": 1}
    assert record.paper_locations == ["档案室 2号柜"]
    entry = AuditEntry.objects.get(action=AuditAction.DELETE)
    assert (entry.object_type, entry.object_id) == ("businessarchive", str(expired.pk))


@pytest.mark.parametrize("today", [TODAY - 2 * DAY, TODAY - DAY], ids=["before", "on-end-day"])
def test_nothing_is_destroyed_before_its_retention_end(
    expired, custodian1, private_media, today, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError) as error:
        destroy(expired, custodian1, today=today)
    assert "must be kept until 2026-11-22" in str(error.value)
    assert_untouched(expired, private_media)


def test_a_held_archive_cannot_be_destroyed(expired, custodian1, private_media):
    archive_legal_hold_set(actor=custodian1, archive=expired, reason="客户投诉诉讼中")
    with pytest.raises(ValidationError, match="under legal hold"):
        destroy(expired, custodian1)
    assert_untouched(expired, private_media)


def test_only_custodians_destroy(expired, manager1, sales1, private_media):
    for actor in (manager1, sales1):
        with pytest.raises(PermissionDenied):
            destroy(expired, actor)
    assert_untouched(expired, private_media)


def assert_untouched(archive, private_media):
    archive.refresh_from_db()
    assert archive.status == ArchiveStatus.OPEN
    assert ArchiveDocument.objects.filter(archive=archive).count() == 3
    assert len(stored_files(private_media)) == 2
    assert DestructionRecord.objects.count() == 0


def test_an_archive_is_destroyed_only_once(expired, custodian1):
    destroy(expired, custodian1)
    with pytest.raises(ValidationError, match="already been destroyed"):
        destroy(expired, custodian1)
    assert DestructionRecord.objects.count() == 1


def test_a_destruction_record_cannot_be_deleted_or_changed(expired, custodian1, client_as):
    record = destroy(expired, custodian1)
    with pytest.raises(PermissionError):
        record.delete()
    with pytest.raises(PermissionError):
        DestructionRecord.objects.all().delete()
    with pytest.raises(PermissionError):
        DestructionRecord.objects.update(reason="")
    record.reason = "改写"
    with pytest.raises(PermissionError):
        record.save()
    client = client_as(custodian1)
    assert (
        client.get(reverse("admin:archives_destructionrecord_change", args=[record.pk])).status_code
        == 200
    )
    assert (
        client.post(
            reverse("admin:archives_destructionrecord_delete", args=[record.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert DestructionRecord.objects.filter(pk=record.pk).exists()


def test_the_retention_queue_lists_only_what_may_be_destroyed(
    expired, customer_of_sales1, custodian1, client_as
):
    today = timezone.localdate()
    kept = archive_for(customer_of_sales1, group_number="SH-KEPT")
    held = archive_for(customer_of_sales1, group_number="SH-HELD")
    BusinessArchive.objects.filter(pk=kept.pk).update(retention_end=today)
    BusinessArchive.objects.filter(pk=held.pk).update(
        retention_end=today - DAY, legal_hold=True, legal_hold_reason="诉讼"
    )
    BusinessArchive.objects.filter(pk=expired.pk).update(retention_end=today - DAY)
    response = client_as(custodian1).get(reverse(CHANGELIST), {"retention": "past"})
    assert [archive.pk for archive in response.context["cl"].result_list] == [expired.pk]


def test_the_admin_destroys_after_a_confirmation_with_a_reason(expired, custodian1, client_as):
    BusinessArchive.objects.filter(pk=expired.pk).update(retention_end=timezone.localdate() - DAY)
    client = client_as(custodian1)
    selection = {"action": "destroy_selected", helpers.ACTION_CHECKBOX_NAME: [expired.pk]}
    confirmation = client.post(reverse(CHANGELIST), selection)
    assert confirmation.status_code == 200
    assert "This cannot be undone" in confirmation.text
    assert not DestructionRecord.objects.exists()
    without_reason = client.post(reverse(CHANGELIST), {**selection, "confirm": "yes", "reason": ""})
    assert without_reason.status_code == 200 and not DestructionRecord.objects.exists()
    done = client.post(
        reverse(CHANGELIST), {**selection, "confirm": "yes", "reason": "保存期满"}, follow=True
    )
    assert done.redirect_chain[-1][0] == reverse("admin:archives_destructionrecord_changelist")
    assert "SH2024-0042" in done.text
    assert DestructionRecord.objects.get().reason == "保存期满"


def test_managers_are_not_offered_destruction_or_holds(manager1, custodian1, client_as):
    def actions(user):
        form = client_as(user).get(reverse(CHANGELIST)).context["action_form"]
        return {value for value, _label in form.fields["action"].choices} if form else set()

    assert {"destroy_selected", "set_legal_hold"} <= actions(custodian1)
    assert not {"destroy_selected", "set_legal_hold", "clear_legal_hold"} & actions(manager1)


def test_a_custodian_sets_a_legal_hold_in_the_admin(expired, custodian1, client_as):
    client = client_as(custodian1)
    client.post(reverse(CHANGELIST), {"action": "set_legal_hold", "confirm": "yes",
                                      "reason": "法院保全裁定",
                                      helpers.ACTION_CHECKBOX_NAME: [expired.pk]})  # fmt: skip
    expired.refresh_from_db()
    assert expired.legal_hold and expired.legal_hold_reason == "法院保全裁定"
    assert expired.legal_hold_set_by == custodian1
