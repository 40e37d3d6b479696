"""Early warnings 预警: spend falling or rising against a year earlier, complaints; at the
thresholds, once per episode, handled with a note, in scope only. TODAY is 2026-11-23:
the last 3 months are paid dates 2026-08-24 … 2026-11-23, a year earlier 2025-08-24 …
2025-11-23."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from customers.models import AuditAction, AuditEntry
from followups.models import CustomerWarning, FollowupPolicy, PlanningRun, WarningKind
from followups.services import planning_run
from followups.services.warnings import months_before, spend_windows
from tests.factories import BookingFactory, CustomerFactory, ServiceRecordFactory
from tests.followups.conftest import TODAY, at

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)
RECENT = datetime.date(2026, 10, 10)
YEAR_BEFORE = datetime.date(2025, 10, 10)


def plan(today=TODAY):
    return planning_run(today=today, now=at(today, 6))


def paid(customer, amount, on, **fields):
    return BookingFactory(
        customer=customer,
        amount=Decimal(amount),
        cost=Decimal("0"),
        start_date=on,
        end_date=on,
        paid_date=on,
        payment_due_date=on,
        **fields,
    )


def valuable(owner, *, recent=None, before="10000.00", **fields):
    fields.setdefault("grade", "A")
    customer = CustomerFactory(owner=owner, birthday=None, id_number="", sex="", **fields)
    if before:
        paid(customer, before, YEAR_BEFORE)
    if recent:
        paid(customer, recent, RECENT)
    return customer


def warnings_of(customer, **filters):
    return list(
        CustomerWarning.objects.filter(customer=customer, **filters).values_list("kind", flat=True)
    )


def test_windows_are_the_last_three_months_and_the_same_months_a_year_earlier():
    assert spend_windows(TODAY) == {
        "recent_after": datetime.date(2026, 8, 23),
        "recent_to": TODAY,
        "prior_after": datetime.date(2025, 8, 23),
        "prior_to": datetime.date(2025, 11, 23),
    }
    assert months_before(datetime.date(2026, 5, 31), 3) == datetime.date(2026, 2, 28)
    assert months_before(datetime.date(2028, 2, 29), 12) == datetime.date(2027, 2, 28)


@pytest.mark.parametrize(
    ("recent", "expected"),
    [
        ("5000.00", []),  # exactly −50%: not below half, nothing
        ("4999.99", [WarningKind.SPEND_FALL]),  # a cent below half
        ("5100.00", []),  # −49%
        ("20000.00", []),  # exactly +100%: not more than double
        ("20000.01", [WarningKind.SPEND_RISE]),  # a cent more than double
        ("10000.00", []),
    ],
)
def test_thresholds(sales1, frozen, recent, expected):
    customer = valuable(sales1, recent=recent)
    plan()
    assert warnings_of(customer) == expected


def test_nothing_at_all_in_the_last_three_months_is_a_fall(sales1, frozen):
    customer = valuable(sales1, recent=None)
    plan()
    warning = CustomerWarning.objects.get(customer=customer)
    assert (warning.kind, warning.spend_recent, warning.spend_year_before) == (
        WarningKind.SPEND_FALL,
        Decimal("0.00"),
        Decimal("10000.00"),
    )
    assert (warning.window_from, warning.window_to) == (datetime.date(2026, 8, 24), TODAY)
    assert warning.headline == (
        "Spend down 100%: ¥0 in the last 3 months, ¥10,000 in the same months a year earlier"
    )


def test_window_edges_and_refunds(sales1, frozen):
    edges = valuable(sales1, before=None)
    paid(edges, "10000.00", datetime.date(2025, 8, 24))  # first day of the earlier window
    paid(edges, "90000.00", datetime.date(2025, 8, 23))  # a day before it: not counted
    paid(edges, "4000.00", datetime.date(2026, 8, 24))  # first day of the recent window
    paid(edges, "90000.00", datetime.date(2026, 8, 23))  # a day before it: not counted
    refunded = valuable(sales1)
    paid(refunded, "12000.00", RECENT, refunded_amount=Decimal("8000.00"))  # net 4,000
    cancelled = valuable(sales1)
    paid(cancelled, "12000.00", RECENT, status="cancelled")  # no spend at all: a fall
    plan()
    assert warnings_of(edges) == [WarningKind.SPEND_FALL]
    assert CustomerWarning.objects.get(customer=edges).spend_recent == Decimal("4000.00")
    assert warnings_of(refunded) == [WarningKind.SPEND_FALL]
    assert warnings_of(cancelled) == [WarningKind.SPEND_FALL]


def test_only_grade_a_and_key_accounts_still_ours(sales1, frozen):
    grade_b = valuable(sales1, grade="B")
    key = valuable(sales1, grade="", is_key_account=True)
    lost = valuable(sales1, status="lost", churn_reason="price")
    new_buyer = valuable(sales1, recent="50000.00", before=None)  # nothing to compare with
    plan()
    assert warnings_of(grade_b) == []
    assert warnings_of(key) == [WarningKind.SPEND_FALL]
    assert warnings_of(lost) == []
    assert warnings_of(new_buyer) == []


def test_thresholds_come_from_the_policy_in_force(sales1, frozen):
    FollowupPolicy.objects.create(
        effective_from=TODAY, warning_fall_percent=30, warning_rise_percent=50
    )
    falling = valuable(sales1, recent="6500.00")  # −35%
    rising = valuable(sales1, recent="15001.00")  # +50.01%
    plan()
    assert warnings_of(falling) == [WarningKind.SPEND_FALL]
    assert warnings_of(rising) == [WarningKind.SPEND_RISE]


def test_once_per_episode(sales1, frozen):
    customer = valuable(sales1, recent="3000.00")
    first = plan()
    assert first.warnings_raised == 1
    assert plan() is None  # the same date twice: nothing
    PlanningRun.objects.all().delete()  # even a forced re-run raises nothing twice
    assert plan().warnings_raised == 0
    # Still falling the next day, handled or not: the same episode.
    assert plan(TODAY + DAY).warnings_raised == 0
    warning = CustomerWarning.objects.get(customer=customer)
    from followups.services.warnings import warning_handle

    warning_handle(actor=sales1, warning=warning, note="李总说预算削减，已约下月面谈")
    assert plan(TODAY + 2 * DAY).warnings_raised == 0
    # The figures recover: the episode ends, nothing new.
    recovery = paid(customer, "5000.00", TODAY)
    assert plan(TODAY + 3 * DAY).warnings_raised == 0
    warning.refresh_from_db()
    assert warning.condition_ended_on == TODAY + 3 * DAY
    # And fall again: a new episode, a new warning.
    recovery.status = "refunded"
    recovery.refunded_amount = recovery.amount
    recovery.save()
    assert plan(TODAY + 4 * DAY).warnings_raised == 1
    assert warnings_of(customer) == [WarningKind.SPEND_FALL, WarningKind.SPEND_FALL]


def test_an_unhandled_warning_is_not_raised_again_when_the_condition_returns(sales1, frozen):
    customer = valuable(sales1, recent="3000.00")
    plan()
    recovery = paid(customer, "5000.00", TODAY)
    plan(TODAY + DAY)  # recovered: the episode ended, the warning still open
    recovery.status = "refunded"
    recovery.refunded_amount = recovery.amount
    recovery.save()
    assert plan(TODAY + 2 * DAY).warnings_raised == 0  # not handled: still the one warning
    assert len(warnings_of(customer)) == 1


def test_a_complaint_raises_a_warning_once(sales1, frozen):
    key = valuable(sales1, grade="", is_key_account=True, recent="10000.00")
    complaint = ServiceRecordFactory(customer=key, occurred_at=at(TODAY - DAY), summary="接机延误")
    ServiceRecordFactory(customer=key, occurred_at=at(TODAY - DAY), kind="praise")
    old = ServiceRecordFactory(customer=key, occurred_at=at(TODAY - 8 * DAY))  # before the week
    ordinary = CustomerFactory(owner=sales1, grade="C")
    ServiceRecordFactory(customer=ordinary, occurred_at=at(TODAY - DAY))
    assert plan().warnings_raised == 1
    warning = CustomerWarning.objects.get()
    assert (warning.kind, warning.service_record) == (WarningKind.COMPLAINT, complaint)
    assert warning.headline == "Complaint: 接机延误"
    assert plan(TODAY + DAY).warnings_raised == 0
    assert not CustomerWarning.objects.filter(service_record=old).exists()


# --- Seeing and handling them --------------------------------------------------------------


@pytest.fixture
def falling(sales1, frozen):
    customer = valuable(sales1, recent="3000.00", name="华夏商旅")
    plan()
    return CustomerWarning.objects.get(customer=customer)


def test_my_day_shows_the_owner_their_warnings(falling, sales1, sales2, client_as):
    page = client_as(sales1).get(reverse("followups:my_day")).text
    section = page.split('data-testid="warnings"')[1].split("</section>")[0]
    assert f'data-warning="{falling.pk}"' in section
    assert "华夏商旅" in section and "Spend down 70%" in section
    assert 'data-testid="warnings"' not in client_as(sales2).get(reverse("followups:my_day")).text


def test_the_team_lead_and_managers_see_it_with_the_owner(
    falling, lead1, manager1, sales3, client_as
):
    for user in (lead1, manager1):
        page = client_as(user).get(reverse("followups:my_day")).text
        section = page.split('data-testid="warnings"')[1].split("</section>")[0]
        assert f'data-warning="{falling.pk}"' in section and "王磊" in section
        assert 'data-testid="backlog"' in page
    assert 'data-testid="warnings"' not in client_as(sales3).get(reverse("followups:my_day")).text


def test_handling_needs_a_note_and_is_audited(falling, sales1, client_as):
    client = client_as(sales1)
    url = reverse("followups:warning_handle", args=[falling.pk])
    assert client.get(url).status_code == 405
    client.post(url, {"note": "  "})
    falling.refresh_from_db()
    assert falling.is_open
    response = client.post(url, {"note": "已电话拜访李总，预算下季度恢复", "next": "/followups/"})
    assert response.status_code == 302 and response.url == "/followups/"
    falling.refresh_from_db()
    assert (falling.handled_by, falling.handled_note) == (sales1, "已电话拜访李总，预算下季度恢复")
    entry = AuditEntry.objects.get(action=AuditAction.CHANGE, object_type="customerwarning")
    assert entry.customer_id == falling.customer_id and entry.actor == sales1
    assert f'data-warning="{falling.pk}"' not in client.get(reverse("followups:my_day")).text
    client.post(url, {"note": "again"})  # handled once only
    assert AuditEntry.objects.filter(object_type="customerwarning").count() == 1


def test_handling_someone_elses_warning_is_404(falling, sales2, sales3, client_as):
    url = reverse("followups:warning_handle", args=[falling.pk])
    for user in (sales2, sales3):
        assert client_as(user).post(url, {"note": "不是我的客户"}).status_code == 404
    assert (
        client_as(sales3)
        .post(reverse("followups:warning_handle", args=[999999]), {"note": "x"})
        .status_code
        == 404
    )
    falling.refresh_from_db()
    assert falling.is_open


def test_the_team_lead_may_handle_it(falling, lead1, client_as):
    url = reverse("followups:warning_handle", args=[falling.pk])
    assert client_as(lead1).post(url, {"note": "组长已跟进"}).status_code == 302
    falling.refresh_from_db()
    assert falling.handled_by == lead1


def test_a_reps_day_opened_by_their_lead_or_a_manager_shows_that_reps_warnings(
    falling, sales1, lead1, manager1, sales3, client_as
):
    url = reverse("followups:my_day") + f"?rep={sales1.pk}"
    for user in (lead1, manager1):
        section = client_as(user).get(url).text.split('data-testid="warnings"')[1]
        assert f'data-warning="{falling.pk}"' in section.split("</section>")[0]
    assert client_as(sales3).get(url).status_code == 404


def test_the_count_stops_at_the_cap_and_says_so(sales1, frozen, client_as, monkeypatch):
    from followups import selectors_warnings

    for name in ("华夏商旅", "远东贸易", "东方会展"):
        valuable(sales1, recent="3000.00", name=name)
    plan()
    client = client_as(sales1)
    monkeypatch.setattr(selectors_warnings, "WARNINGS_SHOWN", 1)
    monkeypatch.setattr(selectors_warnings, "WARNINGS_COUNTED", 2)
    page = client.get(reverse("followups:my_day")).text
    assert 'data-testid="count-warnings">2+<' in page
    assert page.count("data-warning=") == 1
    monkeypatch.setattr(selectors_warnings, "WARNINGS_COUNTED", 3)
    page = client.get(reverse("followups:my_day")).text
    assert 'data-testid="count-warnings">3<' in page
