"""A rep redeems a customer's points from the customer page, sees the new balance on the
statement, and cancels the redemption; the customer's points come back."""

import datetime
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from loyalty.models import Card, Redemption, RedemptionStatus, Reward, RewardKind
from loyalty.services import booking_points_sync
from tests.conftest import screenshots_dir
from tests.factories import PASSWORD, BookingFactory, CustomerFactory

SCREENSHOTS = screenshots_dir()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_rep_redeems_and_cancels_from_the_customer_page(live_server, page, sales1):
    customer = CustomerFactory(owner=sales1, name="林晓")
    booking = BookingFactory(
        customer=customer, amount=Decimal("2500"), paid_date=datetime.date(2026, 2, 18)
    )
    booking_points_sync(booking_id=booking.pk)
    Reward.objects.create(name="机场贵宾厅", kind=RewardKind.SERVICE, points_price=1500, stock=3)

    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", sales1.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")

    page.goto(f"{live_server.url}{customer.get_absolute_url()}")
    panel = page.locator("[data-panel=loyalty]")
    expect(panel.get_by_test_id("points-balance")).to_have_text("2,500 points")
    panel.get_by_role("link", name="Redeem points").click()
    page.locator("#choose-reward tr", has_text="机场贵宾厅").get_by_role("link").click()
    expect(page.locator("#confirm-redemption")).to_contain_text("Balance afterwards: 1,000 points.")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "loyalty-redeem.png"), full_page=True)
    page.get_by_role("button", name="Redeem").click()

    expect(page.locator(".alert")).to_contain_text("New balance: 1,000 points.")
    expect(page.get_by_test_id("statement-balance")).to_have_text("1,000 points")
    page.screenshot(path=str(SCREENSHOTS / "loyalty-statement.png"), full_page=True)

    page.locator("#redemptions").get_by_role("link", name="Cancel").click()
    page.fill("input[name=reason]", "客户改期")
    page.get_by_role("button", name="Cancel the redemption").click()
    expect(page.get_by_test_id("statement-balance")).to_have_text("2,500 points")
    assert Redemption.objects.get().status == RedemptionStatus.CANCELLED
    assert Card.objects.get(customer=customer).balance == 2500
    assert Reward.objects.get().stock == 3
