"""Each role's home page: what it must show, nothing outside the person's scope, and a
query count that does not grow with the data."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from archives.models import ArchiveStatus
from customers.models import (
    AccessRequest,
    AuditAction,
    AuditEntry,
    BookingStatus,
    CustomerStatus,
    SecurityAlert,
    SecurityAlertKind,
)
from customers.services.figures import owner_figures_refresh
from followups.models import Followup, FollowupKind, FollowupStatus
from tests.archives.factories import archive_for
from tests.factories import (
    BookingFactory,
    ContactRecordFactory,
    CustomerFactory,
    ServiceRecordFactory,
)
from tests.home.conftest import SHANGHAI, TODAY, unpaid

DAY = datetime.timedelta(days=1)


def at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=SHANGHAI)


def paid(customer, *, amount, cost, paid_on, **fields):
    return BookingFactory(
        customer=customer,
        amount=Decimal(amount),
        cost=Decimal(cost),
        status=BookingStatus.PAID,
        paid_date=paid_on,
        payment_due_date=paid_on,
        start_date=paid_on + 10 * DAY,
        end_date=paid_on + 15 * DAY,
        **fields,
    )


def followup(owner, customer, *, due_on, status=FollowupStatus.OPEN, completed_on=None):
    return Followup.objects.create(
        customer=customer,
        owner=owner,
        kind=FollowupKind.REGULAR,
        occasion_key=f"test:{customer.pk}:{due_on}:{status}:{completed_on}",
        facts={"last": None, "grade": "C"},
        channel="phone",
        planned_on=due_on,
        due_on=due_on,
        status=status,
        completed_at=at(completed_on) if completed_on else None,
    )


@pytest.fixture
def book(staff, frozen_today):
    """sales1's and sales3's books, with this month's and last year's business."""
    mine = CustomerFactory(owner=staff["sales1"], name="孙悦", grade="A")
    also_mine = CustomerFactory(owner=staff["sales1"], name="周航", grade="B")
    theirs = CustomerFactory(owner=staff["sales3"], name="钱多多", grade="A")
    paid(mine, amount="1234567.80", cost="1000000.00", paid_on=TODAY - 3 * DAY)
    paid(mine, amount="1000000.00", cost="900000.00", paid_on=datetime.date(2025, 6, 10))
    paid(theirs, amount="777777.00", cost="1.00", paid_on=TODAY - DAY)
    ContactRecordFactory(customer=also_mine, contacted_at=at(TODAY - DAY))
    ContactRecordFactory(customer=theirs, contacted_at=at(TODAY - DAY))
    followup(staff["sales1"], mine, due_on=TODAY)
    followup(staff["sales3"], theirs, due_on=TODAY)
    owner_figures_refresh()  # the month figures as the ten-minute job stores them
    return {"mine": mine, "also_mine": also_mine, "theirs": theirs}


def test_rep_home_shows_own_day_and_figures_only(staff, book, client_as):
    page = client_as(staff["sales1"]).get(reverse("home"))
    assert page.status_code == 200
    html = page.text
    assert 'data-section="rep"' in html and 'data-section="manager"' not in html
    # Today's follow-up and the customer contacted yesterday, with a way to My day.
    assert "孙悦" in html and "周航" in html
    assert reverse("followups:my_day") in html
    # The month so far against the same days last year, with thousands separators.
    assert "¥1,234,568" in html  # spend
    assert "¥234,568" in html  # gross profit
    assert "+23.5%" in html  # 1,234,567.80 against 1,000,000.00
    # Own customers by grade: one A, one B.
    figures = page.context["data"]["rep"]["grades"]
    assert {row["grade"]: row["customers"] for row in figures} == {"A": 1, "B": 1, "C": 0, "": 0}
    # Nothing of sales3's: not their customer, contact or money.
    assert "钱多多" not in html
    assert "777,777" not in html and "777777" not in html


def test_team_lead_home_covers_the_team_not_other_teams(staff, book, client_as):
    html = client_as(staff["lead1"]).get(reverse("home")).text
    assert 'data-testid="followup-completion"' in html
    assert 'data-rep="sales1"' in html and 'data-rep="sales3"' not in html
    assert "¥1,234,568" in html  # sales1's spend is the team's
    assert "777,777" not in html


def test_manager_home_shows_the_teams_state(staff, book, client_as):
    sales1, sales3 = staff["sales1"], staff["sales3"]
    customer = book["also_mine"]
    # This month: one done on time, one done late, one still open and overdue.
    followup(sales1, customer, due_on=TODAY - 5 * DAY, status=FollowupStatus.DONE,
             completed_on=TODAY - 5 * DAY)  # fmt: skip
    followup(sales1, customer, due_on=TODAY - 4 * DAY, status=FollowupStatus.DONE,
             completed_on=TODAY - 2 * DAY)  # fmt: skip
    followup(sales1, customer, due_on=TODAY - 3 * DAY)
    # Customers added and lost this month.
    lost = CustomerFactory(owner=sales3, name="流失客户")
    lost.__class__.all_objects.filter(pk=lost.pk).update(
        status=CustomerStatus.LOST, churn_reason="price", lost_at=at(TODAY - DAY)
    )
    ServiceRecordFactory(customer=book["theirs"], summary="晚到", respond_by=at(TODAY - 2 * DAY))
    SecurityAlert.objects.create(
        kind=SecurityAlertKind.MASS_EXPORT, actor=sales3, attempted=9, already_in_window=0, limit=3
    )
    AccessRequest.objects.create(requester=sales3, customer=book["mine"], reason="客户来电")
    owner_figures_refresh()  # the ten-minute job counts the customer lost above

    page = client_as(staff["manager1"]).get(reverse("home"))
    html = page.text
    data = page.context["data"]["manager"]
    rows = {row["username"]: row for row in data["completion"]}
    # Due this month up to today: the three above plus today's.
    assert rows["sales1"]["due"] == 4
    assert (rows["sales1"]["done_on_time"], rows["sales1"]["done_late"]) == (1, 1)
    assert rows["sales1"]["overdue"] == 1
    assert rows["sales3"]["due"] == 1 and rows["sales3"]["overdue"] == 0
    assert 'data-rep="sales1"' in html and 'data-rep="sales3"' in html
    # Everyone's spend: 1,234,567.80 + 777,777.00.
    assert "¥2,012,345" in html
    assert data["customers"].lost == 1 and data["customers"].added == 4
    assert data["feedback_count"] == 1 and "晚到" not in html  # the customer, not the text
    assert data["open_alerts"] == 1 and data["access_count"] == 1
    assert 'data-testid="pending-access"' in html and "客户来电" not in html


def test_finance_home_lists_receivables(staff, frozen_today, client_as):
    late = CustomerFactory(owner=staff["sales1"], name="拖款客户")
    unpaid(late, amount="12345.60", due_on=TODAY - 40 * DAY)
    unpaid(late, amount="100.00", due_on=TODAY + 5 * DAY)  # unpaid, not yet due
    paid(late, amount="5000.00", cost="4000.00", paid_on=TODAY - 2 * DAY)
    owner_figures_refresh()  # the breakdown by owner is stored by the ten-minute job
    page = client_as(staff["finance1"]).get(reverse("home"))
    html = page.text
    summary = page.context["data"]["finance"]["summary"]
    assert summary.unpaid_count == 2 and summary.overdue_count == 1
    assert summary.overdue_amount == Decimal("12345.60")
    assert summary.paid_amount == Decimal("5000.00")
    assert "拖款客户" in html and "¥12,345.60" in html and "40 days overdue" in html
    assert 'data-owner="sales1"' in html


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_finance_export_passes_the_guard_and_is_audited(staff, frozen_today, client_as, fmt):
    late = CustomerFactory(owner=staff["sales1"], name="拖款客户")
    unpaid(late, amount="1706983.81", due_on=TODAY - 3 * DAY)
    response = client_as(staff["finance1"]).get(reverse("home_receivables_export", args=[fmt]))
    assert response.status_code == 200
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert rows[1][0] == "拖款客户" and rows[1][5] == "3" and rows[1][6] == "1706983.81"
        assert rows[1][4] == (TODAY - 3 * DAY).isoformat()
    else:
        sheet = load_workbook(io.BytesIO(response.content)).active
        cell = sheet.cell(row=2, column=7)
        assert cell.value == pytest.approx(1706983.81) and cell.number_format == "#,##0.00"
        due = sheet.cell(row=2, column=5)  # a date Excel sorts and filters, not text
        assert due.value.date() == TODAY - 3 * DAY and due.number_format == "yyyy-mm-dd"
    entry = AuditEntry.objects.get(action=AuditAction.EXPORT, object_type="receivables")
    assert entry.actor == staff["finance1"] and entry.detail["customer_rows"] == 1


def test_finance_export_refused_past_the_limit(staff, frozen_today, client_as):
    from customers.models import CustodyPolicy

    policy = CustodyPolicy.current()
    policy.export_row_limit = 1
    policy.save()
    for _n in range(2):
        unpaid(CustomerFactory(owner=staff["sales1"]), amount="10.00", due_on=TODAY - DAY)
    response = client_as(staff["finance1"]).get(reverse("home_receivables_export", args=["csv"]))
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert not AuditEntry.objects.filter(action=AuditAction.EXPORT).exists()
    assert SecurityAlert.objects.filter(actor=staff["finance1"]).exists()


@pytest.mark.parametrize("who", ["sales1", "lead1", "manager1", "custodian1"])
def test_receivables_export_is_finance_only(staff, client_as, who):
    response = client_as(staff[who]).get(reverse("home_receivables_export", args=["csv"]))
    assert response.status_code == 404


def test_custodian_home_shows_the_custody_queues(staff, frozen_today, client_as):
    customer = CustomerFactory(owner=staff["sales1"])
    later = {"start_date": TODAY - 5 * DAY, "end_date": TODAY - 2 * DAY}
    incomplete = archive_for(customer, group_number="SH-MISSING", **later)
    past = archive_for(customer, group_number="SH-PAST")
    past.retention_end = TODAY - DAY
    past.status = ArchiveStatus.ARCHIVED
    past.archived_at = timezone.now()
    past.save()
    held = archive_for(customer, group_number="SH-HELD", **later)
    held.legal_hold, held.legal_hold_reason = True, "诉讼中"
    held.save()
    AccessRequest.objects.create(requester=staff["sales3"], customer=customer, reason="调阅")
    page = client_as(staff["custodian1"]).get(reverse("home"))
    data = page.context["data"]["custodian"]
    assert incomplete in data["missing"] and past not in data["missing"]
    assert data["past"] == [past] and data["holds"] == [held]
    assert data["access_count"] == 1
    assert "诉讼中" in page.text
    assert 'data-section="rep"' not in page.text


def test_no_role_goes_to_the_customer_list(db, client_as):
    from tests.factories import UserFactory

    response = client_as(UserFactory(roles=[])).get(reverse("home"))
    assert response.status_code == 302 and response["Location"] == reverse("customers:list")


def _grow(staff, n: int) -> None:
    """n more of everything every section lists."""
    for i in range(n):
        for owner in (staff["sales1"], staff["sales3"]):
            customer = CustomerFactory(owner=owner, grade="C")
            paid(customer, amount="10.00", cost="5.00", paid_on=TODAY - DAY)
            unpaid(customer, amount="20.00", due_on=TODAY - (i + 1) * DAY)
            ContactRecordFactory(customer=customer, contacted_at=at(TODAY - DAY))
            followup(owner, customer, due_on=TODAY - DAY)
            ServiceRecordFactory(customer=customer, respond_by=at(TODAY - 2 * DAY))
            AccessRequest.objects.create(requester=owner, customer=customer, reason="x")
            archive_for(customer, start_date=TODAY - 5 * DAY, end_date=TODAY - 2 * DAY)
            archive_for(customer)


@pytest.mark.parametrize("who", ["sales1", "lead1", "manager1", "finance1", "custodian1"])
def test_home_query_count_does_not_grow(staff, book, client_as, who,
                                        django_assert_max_num_queries):  # fmt: skip
    client = client_as(staff[who])
    _grow(staff, 1)
    with django_assert_max_num_queries(40) as few:
        assert client.get(reverse("home")).status_code == 200
    _grow(staff, 12)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(reverse("home")).status_code == 200
