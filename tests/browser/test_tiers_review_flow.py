"""A manager in a real browser: the tier reports with their charts, then the committee
review, approving one proposal, which takes effect on the customer's grade."""

import datetime

import pytest
from playwright.sync_api import expect

from customers.models import Customer
from tests.conftest import screenshots_dir
from tests.factories import PASSWORD, BookingFactory, CustomerFactory
from tiers.models import Proposal, ProposalStatus
from tiers.services import half_yearly_review

SCREENSHOTS = screenshots_dir()
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def evaluation(sales1, sales3):
    for n, owner in enumerate([sales1, sales1, sales1, sales3, sales3]):
        customer = CustomerFactory(owner=owner, name=f"客户{n}")
        for month in range(1, n + 2):
            day = datetime.date(2026, month * 2, 10)
            BookingFactory(
                customer=customer, amount=8000 * (n + 1), cost=6000 * (n + 1),
                start_date=day, end_date=day + datetime.timedelta(days=4),
                payment_due_date=day, paid_date=day,
            )  # fmt: skip
    return half_yearly_review(today=datetime.date(2027, 1, 1))


def test_manager_sees_the_charts_and_approves_a_proposal(live_server, page, manager1, evaluation):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", manager1.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")  # the home page

    # Managers find the reports in the Tiering menu.
    menu = page.locator("nav li.dropdown", has=page.locator("a[href='/tiers/']"))
    menu.locator(".dropdown-toggle").click()
    menu.locator("a[href='/tiers/']").click()
    for report in ("grades", "quadrants", "pareto", "rfm", "dormant"):
        expect(page.locator(f"#report-{report} svg")).to_be_visible()
    expect(page.locator("#report-quadrants rect[data-quadrant=core]")).to_have_count(1)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "tiers-report.png"), full_page=True)

    menu.locator(".dropdown-toggle").click()
    menu.locator("a[href='/tiers/review/']").click()
    page.click(f"a[href='/tiers/review/{evaluation.pk}/']")
    biggest = Proposal.objects.filter(evaluation=evaluation).order_by("-spend_12m").first()
    row = page.locator(f"tr[data-proposal='{biggest.pk}']")
    expect(row).to_be_visible()
    row.locator("input[name=selected]").check()
    page.screenshot(path=str(SCREENSHOTS / "tiers-review.png"), full_page=True)
    page.click("button[value=approve_selected]")

    expect(page.locator(".alert-success")).to_be_visible()
    expect(page.locator(f"tr[data-proposal='{biggest.pk}']")).to_have_count(0)  # not pending
    biggest.refresh_from_db()
    assert biggest.status == ProposalStatus.APPROVED
    assert Customer.objects.get(pk=biggest.customer_id).grade == biggest.to_grade

    page.goto(f"{live_server.url}/customers/{biggest.customer_id}/")
    expect(page.locator("[data-testid=tier-grade]")).to_contain_text(biggest.to_grade)
    expect(page.locator("[data-testid=grade-history] li")).to_have_count(1)
