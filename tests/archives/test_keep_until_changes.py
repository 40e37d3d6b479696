"""Issue 10: an edit of a tour can move its archive's keep-until date later, never earlier
without a manager's approval with a reason; an approved shortening keeps the archive at
least 30 days after the approval; every change is audited and shown on the archive."""

import datetime
from html.parser import HTMLParser

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from archives.models import BusinessArchive, RetentionChange, RetentionChangeStatus
from archives.retention import retention_change_decide
from archives.services import (
    archive_destroy,
    archive_destroy_refusal,
    retention_expire,
    tour_group_create,
    tour_group_update,
)
from customers.models import AuditEntry, TripType
from tests.archives.factories import TourGroupFactory, archive_for

pytestmark = pytest.mark.django_db

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))
TODAY = datetime.date(2026, 11, 23)
NOW = datetime.datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI)
DAY = datetime.timedelta(days=1)


class _FormFields(HTMLParser):
    """The values a browser would send back from the admin change form."""

    def __init__(self):
        super().__init__()
        self.data, self._select, self._textarea = {}, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("submit", "checkbox", "file"):
            self.data[name] = attrs.get("value", "")
        elif tag == "select" and name:
            self._select = name
            self.data.setdefault(name, "")
        elif tag == "option" and self._select and "selected" in attrs:
            self.data[self._select] = attrs.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        if tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea] += data


def admin_edit_tour(client, tour, **changes):
    url = reverse("admin:archives_tourgroup_change", args=[tour.pk])
    page = client.get(url)
    assert page.status_code == 200
    fields = _FormFields()
    fields.feed(page.text)
    data = {**fields.data, **changes, "_save": "Save"}
    return client.post(url, data)


@pytest.fixture
def typo_archive(custodian1):
    """A tour entered with its end in 2031 by mistake: kept until 2033-03-05."""
    tour = tour_group_create(
        actor=custodian1,
        tour=TourGroupFactory.build(
            created_by=None,
            start_date=datetime.date(2024, 3, 1),
            end_date=datetime.date(2031, 3, 5),
        ),
    )
    return tour.archive


def test_an_admin_edit_seven_years_earlier_leaves_keep_until_and_waits_for_a_manager(
    typo_archive, custodian1, client_as
):
    response = admin_edit_tour(
        client_as(custodian1),
        typo_archive.tour,
        end_date="2024-03-05",
        retention_reason="团号录入错误，结束日期应为2024年",
    )
    assert response.status_code == 302
    typo_archive.refresh_from_db()
    typo_archive.tour.refresh_from_db()
    assert typo_archive.tour.end_date == datetime.date(2024, 3, 5)  # the tour fact is fixed
    assert typo_archive.retention_end == datetime.date(2033, 3, 5)  # the keep-until is not
    request = RetentionChange.objects.get()
    assert request.status == RetentionChangeStatus.PENDING
    assert (request.old_end, request.proposed_end) == (
        datetime.date(2033, 3, 5), datetime.date(2026, 3, 5),
    )  # fmt: skip
    assert request.requested_by == custodian1
    assert request.reason == "团号录入错误，结束日期应为2024年"
    assert AuditEntry.objects.filter(
        object_type="businessarchive",
        object_id=str(typo_archive.pk),
        detail__retention_change=request.pk,
        detail__status="pending",
    ).exists()
    followed = client_as(custodian1).get(reverse("admin:archives_tourgroup_changelist"))
    assert "needs a manager" in followed.text


def test_a_trip_type_edit_that_would_shorten_also_waits(custodian1):
    tour = tour_group_create(
        actor=custodian1,
        tour=TourGroupFactory.build(created_by=None, trip_type=TripType.OUTBOUND),
    )
    assert tour.archive.retention_end == datetime.date(2027, 3, 5)
    tour.trip_type = TripType.DOMESTIC
    tour_group_update(actor=custodian1, tour=tour)  # whatever the caller says changed
    tour.archive.refresh_from_db()
    assert tour.archive.retention_end == datetime.date(2027, 3, 5)
    assert RetentionChange.objects.get().proposed_end == datetime.date(2026, 3, 5)


def _pending(archive, actor, *, end):
    tour = archive.tour
    tour.end_date = end
    tour_group_update(actor=actor, tour=tour, reason="录入错误", now=NOW)
    return RetentionChange.objects.get(archive=archive, status=RetentionChangeStatus.PENDING)


def test_approval_keeps_the_archive_at_least_30_days_after_it(typo_archive, custodian1, manager1):
    request = _pending(typo_archive, custodian1, end=datetime.date(2024, 3, 5))
    approved = retention_change_decide(
        actor=manager1, change=request, approve=True, reason="核对合同无误", now=NOW
    )
    typo_archive.refresh_from_db()
    # The date asked for (2026-03-05) has passed: the archive stays until approval + 30 days.
    assert typo_archive.retention_end == TODAY + 30 * DAY == approved.applied_end
    assert typo_archive.retention_years == 2
    assert (approved.status, approved.decided_by, approved.decision_reason) == (
        RetentionChangeStatus.APPROVED, manager1, "核对合同无误",
    )  # fmt: skip


def test_approval_of_a_date_later_than_30_days_applies_that_date(
    typo_archive, custodian1, manager1
):
    request = _pending(typo_archive, custodian1, end=datetime.date(2025, 6, 30))
    retention_change_decide(actor=manager1, change=request, approve=True, reason="核实", now=NOW)
    typo_archive.refresh_from_db()
    assert typo_archive.retention_end == datetime.date(2027, 6, 30)  # max(new date, +30 days)


def test_neither_the_job_nor_a_custodian_can_destroy_it_sooner(
    typo_archive, custodian1, manager1, mailoutbox
):
    _pending(typo_archive, custodian1, end=datetime.date(2024, 3, 5))
    # While the request waits, the job does not see it as past retention.
    assert retention_expire(today=TODAY).expired_count == 0
    typo_archive.refresh_from_db()
    assert archive_destroy_refusal(archive=typo_archive, today=TODAY)
    request = RetentionChange.objects.get()
    retention_change_decide(actor=manager1, change=request, approve=True, reason="核实", now=NOW)
    typo_archive.refresh_from_db()
    # The same day (the case) and the next 30 days: not destroyable, not proposed.
    with pytest.raises(ValidationError, match="must be kept until 2026-12-23"):
        archive_destroy(actor=custodian1, archive=typo_archive, reason="到期", today=TODAY)
    assert retention_expire(today=TODAY + DAY).expired_count == 0
    assert retention_expire(today=TODAY + 30 * DAY).expired_count == 0
    assert retention_expire(today=TODAY + 31 * DAY).expired_count == 1


def test_a_lengthening_applies_at_once_and_is_audited_and_shown(
    customer_of_sales1, custodian1, sales1, client_as
):
    archive = archive_for(customer_of_sales1)
    tour = archive.tour
    tour.end_date = datetime.date(2024, 3, 9)
    tour_group_update(actor=custodian1, tour=tour, now=NOW)
    archive.refresh_from_db()
    assert archive.retention_end == datetime.date(2026, 3, 9)
    change = RetentionChange.objects.get()
    assert change.status == RetentionChangeStatus.APPLIED
    assert change.applied_end == datetime.date(2026, 3, 9)
    assert AuditEntry.objects.filter(detail__retention_change=change.pk,
                                     detail__status="applied").count() == 1  # fmt: skip
    page = client_as(sales1).get(reverse("archives:detail", args=[archive.pk]))
    assert page.status_code == 200
    assert 'data-testid="keep-until-change" data-status="applied"' in page.text
    assert "2026-03-05 → <strong>2026-03-09</strong>" in page.text
    assert 'data-testid="keep-until-decision"' not in page.text  # reps do not decide


def test_a_lengthening_takes_an_expired_archive_out_of_the_queue(custodian1):
    tour = tour_group_create(actor=custodian1, tour=TourGroupFactory.build(created_by=None))
    retention_expire(today=TODAY)
    tour.archive.refresh_from_db()
    assert tour.archive.expired_on == TODAY
    tour.trip_type = TripType.OUTBOUND
    tour.end_date = datetime.date(2025, 3, 5)
    tour.start_date = datetime.date(2025, 3, 1)
    tour_group_update(actor=custodian1, tour=tour, now=NOW)
    tour.archive.refresh_from_db()
    assert tour.archive.retention_end == datetime.date(2028, 3, 5)
    assert tour.archive.expired_on is None


def test_a_refusal_leaves_the_date_and_says_why(typo_archive, custodian1, manager1):
    request = _pending(typo_archive, custodian1, end=datetime.date(2024, 3, 5))
    retention_change_decide(actor=manager1, change=request, approve=False, reason="合同仍在诉讼")
    typo_archive.refresh_from_db()
    request.refresh_from_db()
    assert typo_archive.retention_end == datetime.date(2033, 3, 5)
    assert (request.status, request.decision_reason) == ("refused", "合同仍在诉讼")


def test_a_decision_needs_a_reason_and_is_taken_once(typo_archive, custodian1, manager1):
    request = _pending(typo_archive, custodian1, end=datetime.date(2024, 3, 5))
    with pytest.raises(ValidationError):
        retention_change_decide(actor=manager1, change=request, approve=True, reason="  ")
    retention_change_decide(actor=manager1, change=request, approve=False, reason="不同意")
    with pytest.raises(ValidationError):
        retention_change_decide(actor=manager1, change=request, approve=True, reason="再议")


def test_a_newer_edit_replaces_the_waiting_request(typo_archive, custodian1):
    first = _pending(typo_archive, custodian1, end=datetime.date(2024, 3, 5))
    second = _pending(typo_archive, custodian1, end=datetime.date(2025, 3, 5))
    first.refresh_from_db()
    assert first.status == RetentionChangeStatus.SUPERSEDED
    assert second.proposed_end == datetime.date(2027, 3, 5)


def test_only_a_manager_decides(typo_archive, custodian1, sales1, client_as, manager1):
    request = _pending(typo_archive, custodian1, end=datetime.date(2024, 3, 5))
    with pytest.raises(PermissionDenied):
        retention_change_decide(actor=custodian1, change=request, approve=True, reason="x")
    url = reverse("archives:retention_decide", args=[typo_archive.pk, request.pk])
    for user in (custodian1, sales1):
        response = client_as(user).post(url, {"decision": "approve", "reason": "x"})
        assert response.status_code == 404
    # The admin action is not offered to a custodian either.
    changelist = client_as(custodian1).get(reverse("admin:archives_retentionchange_changelist"))
    assert changelist.status_code == 200
    assert "approve_selected" not in changelist.text
    request.refresh_from_db()
    typo_archive.refresh_from_db()
    assert request.status == RetentionChangeStatus.PENDING
    assert typo_archive.retention_end == datetime.date(2033, 3, 5)


def test_a_manager_decides_on_the_archive_page(typo_archive, custodian1, manager1, client_as):
    request = _pending(typo_archive, custodian1, end=datetime.date(2024, 3, 5))
    client = client_as(manager1)
    waiting = client.get(reverse("archives:list"))
    assert 'data-testid="pending-keep-until"' in waiting.text
    assert typo_archive.get_absolute_url() in waiting.text
    not_for_custodians = client_as(custodian1).get(reverse("archives:list"))
    assert 'data-testid="pending-keep-until"' not in not_for_custodians.text
    client = client_as(manager1)
    page = client.get(reverse("archives:detail", args=[typo_archive.pk]))
    assert 'data-testid="keep-until-decision"' in page.text
    url = reverse("archives:retention_decide", args=[typo_archive.pk, request.pk])
    no_reason = client.post(url, {"decision": "approve", "reason": ""})
    assert no_reason.status_code == 400
    done = client.post(url, {"decision": "approve", "reason": "核实无误"})
    assert done.status_code == 302
    typo_archive.refresh_from_db()
    assert typo_archive.retention_end == timezone.localdate() + 30 * DAY
    wrong = client.post(
        reverse("archives:retention_decide", args=[typo_archive.pk + 999, request.pk]),
        {"decision": "approve", "reason": "x"},
    )
    assert wrong.status_code == 404


def test_a_manager_decides_in_the_admin(typo_archive, custodian1, manager1, client_as):
    request = _pending(typo_archive, custodian1, end=datetime.date(2024, 3, 5))
    client = client_as(manager1)
    url = reverse("admin:archives_retentionchange_changelist")
    asked = client.post(url, {"action": "approve_selected", "_selected_action": [request.pk]})
    assert asked.status_code == 200
    assert 'data-testid="confirm-decision"' in asked.text
    client.post(url, {"action": "approve_selected", "_selected_action": [request.pk],
                      "confirm": "yes", "reason": "核实无误"})  # fmt: skip
    request.refresh_from_db()
    assert request.status == RetentionChangeStatus.APPROVED
    assert request.applied_end == timezone.localdate() + 30 * DAY
    archive = BusinessArchive.objects.get(pk=typo_archive.pk)
    admin_page = client.get(reverse("admin:archives_businessarchive_change", args=[archive.pk]))
    assert "核实无误" in admin_page.text  # the history inline


def test_the_new_tour_page_ignores_an_impossible_departure_date(sales1, client_as):
    response = client_as(sales1).get(reverse("archives:tour_create") + "?departure=2026-02-30")
    assert response.status_code == 200
    assert "is not a valid date" in response.text


def test_a_20_digit_booking_id_is_a_form_error_not_a_500(sales1, client_as):
    response = client_as(sales1).post(
        reverse("archives:tour_create"),
        {"group_number": "SH-X", "product": "p", "trip_type": "domestic",
         "start_date": "2026-03-01", "end_date": "2026-03-05", "head_count": 1,
         "bookings": ["99999999999999999999"]},
    )  # fmt: skip
    assert response.status_code == 200
    assert response.context["form"].errors["bookings"]


def test_managers_are_told_of_a_waiting_request_and_nobody_of_a_later_date(
    typo_archive, custodian1, manager1, mailoutbox, django_capture_on_commit_callbacks
):
    tour = typo_archive.tour
    with django_capture_on_commit_callbacks(execute=True):
        tour.end_date = datetime.date(2031, 3, 9)
        tour_group_update(actor=custodian1, tour=tour)
    assert mailoutbox == []
    with django_capture_on_commit_callbacks(execute=True):
        _pending(typo_archive, custodian1, end=datetime.date(2024, 3, 5))
    [mail] = mailoutbox
    assert mail.to == [manager1.email]
    assert typo_archive.tour.group_number in mail.subject
    assert "2026-03-05" in mail.body and "2033-03-09" in mail.body
    assert "录入错误" in mail.body


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_managers_deciding_at_once_make_one_decision(custodian1, manager1):
    import threading

    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: concurrent transactions on one database")
    from tests.factories import UserFactory

    manager2 = UserFactory(username="manager2", roles=["manager"], is_staff=True)
    tour = tour_group_create(
        actor=custodian1,
        tour=TourGroupFactory.build(created_by=None, end_date=datetime.date(2031, 3, 5)),
    )
    request = _pending(tour.archive, custodian1, end=datetime.date(2024, 3, 5))
    barrier = threading.Barrier(2)
    outcomes = []

    def decide(manager, approve):
        try:
            barrier.wait(timeout=10)
            retention_change_decide(actor=manager, change=request, approve=approve, reason="x")
            outcomes.append("decided")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=decide, args=(manager1, True)),
               threading.Thread(target=decide, args=(manager2, False))]  # fmt: skip
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["decided", "refused"]
    request.refresh_from_db()
    archive = BusinessArchive.objects.get(pk=tour.archive.pk)
    if request.status == RetentionChangeStatus.APPROVED:
        assert archive.retention_end == request.applied_end
    else:
        assert archive.retention_end == datetime.date(2033, 3, 5)
    # The request and one decision: the loser wrote nothing.
    assert AuditEntry.objects.filter(object_type="businessarchive",
                                     detail__retention_change=request.pk).count() == 2  # fmt: skip
