"""The tiers pages: report numbers, scoping by role, exports, the committee page, the
customer panel, and query counts that do not grow with the data."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from customers.models import Customer, CustomerStatus
from tests.factories import CustomerFactory
from tiers.models import GradeChange, GradeNotification, Proposal, ProposalStatus
from tiers.services import grade_override, half_yearly_review, monthly_statistics

OCT = datetime.date(2026, 10, 1)
NOV_1 = datetime.date(2026, 11, 1)
REPORT = reverse("tiers:report")

pytestmark = pytest.mark.django_db


@pytest.fixture
def book(sales1, sales3, paid_booking):
    """Seven customers, hand-computed: 5 buyers (¥107,000 spend, ¥21,400 gross profit)."""
    c1 = CustomerFactory(owner=sales1, name="大客户")
    paid_booking(c1, 30000, "2026-03-01")
    paid_booking(c1, 30000, "2026-08-01")
    c2 = CustomerFactory(owner=sales1, name="二号")
    paid_booking(c2, 10000, "2026-09-01")
    c3 = CustomerFactory(owner=sales1, name="三号")
    paid_booking(c3, 2000, "2026-02-01")
    c7 = CustomerFactory(owner=sales1, name="七号")
    paid_booking(c7, 5000, "2026-06-01")
    c4 = CustomerFactory(owner=sales3, name="四号")
    paid_booking(c4, 30000, "2026-07-01")
    c5 = CustomerFactory(owner=sales3, name="五号")
    c6 = CustomerFactory(
        owner=sales3, name="六号", status=CustomerStatus.LOST, churn_reason="price"
    )
    paid_booking(c6, 5000, "2024-01-01")
    Customer.objects.filter(pk=c1.pk).update(grade="A")
    Customer.objects.filter(pk=c4.pk).update(grade="B")
    monthly_statistics(month=OCT, today=NOV_1)
    return {"c1": c1, "c2": c2, "c3": c3, "c4": c4, "c5": c5, "c6": c6, "c7": c7}


def test_report_numbers_equal_the_hand_computed_ones(book, manager1, client_as):
    response = client_as(manager1).get(REPORT)

    report = response.context["report"]
    assert (report.customers, report.spend) == (7, Decimal("107000"))
    grades = {row["grade"]: row["customers"] for row in report.grades}
    assert grades == {"A": 1, "B": 1, "C": 0, "": 5}
    quadrants = {row["quadrant"]: row for row in report.quadrants}
    assert quadrants["core"]["customers"] == 1
    assert quadrants["retire"]["customers"] == 6
    assert quadrants["core"]["spend_share"] == pytest.approx(60000 / 107000)
    assert report.pareto["buyers"] == 5
    assert report.pareto["top20_spend"] == pytest.approx(60000 / 107000)
    assert report.pareto["top20_profit"] == pytest.approx(12000 / 21400)
    assert report.dormant["customers"] == 2  # 三号 (February) and the lost 六号 (2024)
    assert [s.customer.name for s in report.dormant["top"]] == ["三号", "六号"]
    churn = {row["reason"]: row for row in report.churn["rows"]}
    # 六号 was made lost without the service: the date is unknown, so all time only.
    assert (churn["price"]["all_time"], churn["price"]["all_time_share"]) == (1, 1.0)
    assert churn["price"]["this_year"] == 0 and report.churn["totals"]["undated"] == 1
    assert churn["poor_service"]["handbook_share"] == 0.68
    assert sum(cell["customers"] for cell in report.rfm) == 7
    content = response.content.decode()
    assert content.count("<svg") == 6  # every chart with data drawn
    assert 'data-empty="movement"' in content  # no evaluation has taken effect yet
    assert "Of 5 buying customers, the top 20% by spend bring 56.1% of the spend" in content


def test_a_rep_sees_only_own_customers_and_a_lead_the_team(book, sales1, sales3, lead1, client_as):
    assert client_as(sales1).get(REPORT).context["report"].customers == 4
    assert client_as(sales3).get(REPORT).context["report"].customers == 3
    assert client_as(lead1).get(REPORT).context["report"].customers == 4  # sales1's
    # Another owner is not offered: the form says so and the report stays the rep's own.
    response = client_as(sales1).get(REPORT, {"owner": sales3.pk})
    assert response.context["form"].errors["owner"]
    assert response.context["report"].customers == 4


def test_manager_filters_by_owner_and_team(book, manager1, sales3, north_team, client_as):
    client = client_as(manager1)
    assert client.get(REPORT, {"owner": sales3.pk}).context["report"].customers == 3
    assert client.get(REPORT, {"team": north_team.pk}).context["report"].customers == 3


def test_no_statistics_yet_says_so(manager1, client_as):
    response = client_as(manager1).get(REPORT)
    assert response.status_code == 200
    assert "No monthly statistics yet" in response.content.decode()


def test_empty_selection_says_no_data_instead_of_blank_charts(book, sales2, client_as):
    content = client_as(sales2).get(REPORT).content.decode()
    assert "<svg" not in content
    assert content.count("No data for this selection yet.") == 7


def test_exports_in_csv_and_xlsx(book, sales1, client_as):
    client = client_as(sales1)
    response = client.get(reverse("tiers:export", args=["quadrants", "csv"]))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "Quadrant"
    core = next(row for row in rows if row[0].startswith("Core"))
    assert core[1:3] == ["1", "25.0"]
    assert (Decimal(core[3]), core[4]) == (Decimal("60000"), "77.9")  # of sales1's ¥77,000

    response = client.get(reverse("tiers:export", args=["grades", "xlsx"]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.values)
    assert values[0][0] == "Grade" and values[1][:2] == ("Grade A", 1)
    assert client.get(reverse("tiers:export", args=["nonsense", "csv"])).status_code == 404


def test_report_query_count_does_not_grow(
    book, manager1, sales1, client_as, django_assert_max_num_queries, paid_booking
):
    client = client_as(manager1)
    # 21: the churn report by period adds one read of the lost customers (issue 14).
    with django_assert_max_num_queries(21) as small:
        client.get(REPORT)
    for n in range(30):
        customer = CustomerFactory(owner=sales1)
        paid_booking(customer, 1000 + n * 500, "2026-10-15")
    monthly_statistics(month=datetime.date(2026, 11, 1), today=datetime.date(2026, 12, 1))
    half_yearly_review(today=datetime.date(2027, 1, 1))
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(REPORT)
    assert response.context["report"].customers == 37


def test_committee_page_is_for_managers(book, sales1, lead1, manager1, client_as):
    evaluation = half_yearly_review(today=datetime.date(2027, 1, 1))
    url = reverse("tiers:review_detail", args=[evaluation.pk])
    assert client_as(sales1).get(url).status_code == 404
    assert client_as(lead1).get(reverse("tiers:review_list")).status_code == 404
    response = client_as(manager1).get(url)
    assert response.status_code == 200
    assert len(response.context["page"]) == evaluation.proposal_count


def test_review_list_counts_what_awaits_the_committee_up_to_a_cap(
    book, manager1, client_as, monkeypatch
):
    evaluation = half_yearly_review(today=datetime.date(2027, 1, 1))
    pending = Proposal.objects.filter(evaluation=evaluation, status=ProposalStatus.PENDING)
    assert pending.count() >= 2
    client = client_as(manager1)
    exact = client.get(reverse("tiers:review_list"))
    assert f'text-bg-warning">{pending.count()}</span>' in exact.text
    monkeypatch.setattr("tiers.selectors.PENDING_CAP", 1)
    monkeypatch.setattr("tiers.views.PENDING_CAP", 1)
    capped = client.get(reverse("tiers:review_list"))
    assert 'text-bg-warning">1+</span>' in capped.text


def test_review_page_counts_up_to_a_cap_and_approve_all_still_decides_them_all(
    book, manager1, client_as, monkeypatch, django_capture_on_commit_callbacks
):
    """The header counts each status up to the cap ("1+" here, "10,000+" in use) and the
    pager stops counting at its cap too; "Approve all shown" decides every one and says
    exactly how many."""
    evaluation = half_yearly_review(today=datetime.date(2027, 1, 1))
    url = reverse("tiers:review_detail", args=[evaluation.pk])
    pending = Proposal.objects.filter(evaluation=evaluation, status=ProposalStatus.PENDING)
    total = pending.count()
    assert total >= 2
    client = client_as(manager1)
    assert f"Awaiting: {total} · approved: 0" in client.get(url).text
    monkeypatch.setattr("tiers.selectors.PENDING_CAP", 1)
    monkeypatch.setattr("tiers.views.PENDING_CAP", 1)
    monkeypatch.setattr("customers.pagination.COUNT_CAP", 1)
    monkeypatch.setattr("tiers.views.PAGE_SIZE", 1)
    response = client.get(url)
    assert "Awaiting: 1+ · approved: 0" in response.text
    assert response.context["page"].paginator.capped
    assert "Only the first 1 are listed" in response.text and "Page 1 of" not in response.text
    with django_capture_on_commit_callbacks(execute=True):
        decided = client.post(url, {"action": "approve_all"}, follow=True)
    assert f"{total} proposals decided." in decided.text
    assert not pending.exists()


def test_committee_approves_selected_and_needs_a_reason_to_override(
    book, manager1, client_as, django_capture_on_commit_callbacks, mailoutbox
):
    evaluation = half_yearly_review(today=datetime.date(2027, 1, 1))
    url = reverse("tiers:review_detail", args=[evaluation.pk])
    client = client_as(manager1)
    new_c2 = Proposal.objects.get(evaluation=evaluation, customer=book["c2"])
    new_c7 = Proposal.objects.get(evaluation=evaluation, customer=book["c7"])

    response = client.post(url, {"action": "override", "selected": [new_c7.pk], "grade": "A"})
    assert "An override needs a reason." in response.content.decode()
    assert Proposal.objects.get(pk=new_c7.pk).status == ProposalStatus.PENDING

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"action": "approve_selected", "selected": [new_c2.pk]})
    assert response.status_code == 302
    assert Customer.objects.get(pk=book["c2"].pk).grade == "B"
    assert Customer.objects.get(pk=book["c7"].pk).grade == ""
    assert [m.to for m in mailoutbox] == [[book["c2"].email]]

    client.post(
        url,
        {"action": "override", "selected": [new_c7.pk], "grade": "reject", "note": "Too early"},
    )
    assert Proposal.objects.get(pk=new_c7.pk).status == ProposalStatus.REJECTED

    # Filter by change type and amount, then approve all that the filter shows.
    response = client.get(url, {"status": "pending", "change_type": "new", "min_spend": "1"})
    shown = {p.customer_id for p in response.context["page"]}
    assert shown == {book["c3"].pk}  # c5 spent nothing
    client.post(f"{url}?status=pending&change_type=new&min_spend=1", {"action": "approve_all"})
    assert Customer.objects.get(pk=book["c3"].pk).grade == "C"
    assert Customer.objects.get(pk=book["c5"].pk).grade == ""


def test_posts_need_the_csrf_token(book, manager1):
    evaluation = half_yearly_review(today=datetime.date(2027, 1, 1))
    client = Client(enforce_csrf_checks=True)
    client.force_login(manager1)
    response = client.post(
        reverse("tiers:review_detail", args=[evaluation.pk]), {"action": "approve_all"}
    )
    assert response.status_code == 403
    assert not GradeChange.objects.exists()


def test_customer_page_shows_grade_rfm_history_and_the_owners_task(
    book, manager1, sales1, client_as, django_assert_max_num_queries
):
    customer = book["c2"]
    Customer.objects.filter(pk=customer.pk).update(email="")
    customer.refresh_from_db()
    grade_override(actor=manager1, customer=customer, grade="A", reason="Brings in referrals")
    url = reverse("customers:detail", args=[customer.pk])

    content = client_as(sales1).get(url).content.decode()
    assert 'data-testid="tier-grade">Grade A' in content
    assert "Manual" in content and "Brings in referrals" in content
    assert "R" in content and 'data-testid="tier-rfm"' in content
    task = GradeNotification.objects.get(customer=customer)
    assert task.channel == "sms"

    response = client_as(sales1).post(reverse("tiers:task_done", args=[task.pk]), {"next": url})
    assert response.status_code == 302 and response.url == url
    task.refresh_from_db()
    assert task.status == "done" and task.done_by == sales1


@pytest.mark.parametrize("next_url", ["/\\example.com", "//example.com", "https://example.com/"])
def test_marking_a_task_done_never_sends_the_browser_off_site(
    book, manager1, sales1, client_as, next_url
):
    grade_override(actor=manager1, customer=book["c2"], grade="A", reason="VIP")
    task = GradeNotification.objects.get(customer=book["c2"])
    response = client_as(sales1).post(
        reverse("tiers:task_done", args=[task.pk]), {"next": next_url}
    )
    assert response.status_code == 302 and response.url == reverse("tiers:report")


def test_a_rep_cannot_mark_someone_elses_task(book, manager1, sales3, client_as):
    grade_override(actor=manager1, customer=book["c2"], grade="A", reason="VIP")
    task = GradeNotification.objects.get(customer=book["c2"])
    response = client_as(sales3).post(reverse("tiers:task_done", args=[task.pk]))
    assert response.status_code == 404


def test_manager_sets_a_grade_with_a_reason(book, manager1, sales1, client_as):
    url = reverse("tiers:customer_grade", args=[book["c3"].pk])
    assert client_as(sales1).get(url).status_code == 404  # a managers' page
    client = client_as(manager1)
    response = client.post(url, {"grade": "B", "reason": ""})
    assert response.status_code == 200 and "This field is required." in response.content.decode()
    response = client.post(url, {"grade": "B", "reason": "Opinion leader in her company"})
    assert response.status_code == 302
    assert Customer.objects.get(pk=book["c3"].pk).grade == "B"
    assert (
        client_as(sales1).get(reverse("tiers:customer_grade", args=[book["c4"].pk])).status_code
        == 404
    )  # not sales1's customer: out of scope first


def test_report_reads_the_stored_month_not_the_bookings(book, manager1, client_as, paid_booking):
    paid_booking(book["c5"], 90000, "2026-10-20")  # entered after the month was computed
    report = client_as(manager1).get(REPORT).context["report"]
    assert report.spend == Decimal("107000")
    assert {r["grade"]: r["customers"] for r in report.grades}[""] == 5
