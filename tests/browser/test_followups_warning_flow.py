"""Early warnings in the browser: a rep finds a valuable customer's falling spend on My day
and handles it with a note; the team lead's page (with the backlog) shows the team's
warnings with their owners.

With CRM_LAYOUT_SHOTS_DIR set, both pages are also photographed in English and Chinese at
1366 and 390 px wide (FOLLOWUPS_LOCALE_DIR may point at a catalogue compiled with strings
not merged into locale/ yet)."""

import datetime
import os
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from followups.models import CustomerWarning
from followups.services import planning_run
from tests.browser.layouts import photograph_layouts
from tests.conftest import screenshots_dir
from tests.factories import PASSWORD, BookingFactory, CustomerFactory, ServiceRecordFactory

SCREENSHOTS = screenshots_dir()
LOCALE_DIR = os.environ.get("FOLLOWUPS_LOCALE_DIR")


def _sign_in(page, live_server, user):
    page.context.clear_cookies()
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")  # the home page


def _paid(customer, amount, on):
    BookingFactory(
        customer=customer, amount=Decimal(amount), cost=Decimal("0"), start_date=on,
        end_date=on, paid_date=on, payment_due_date=on,
    )  # fmt: skip


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_rep_handles_a_warning_and_the_lead_sees_the_team(
    live_server, page, settings, sales1, sales2, sales3, lead1
):
    if LOCALE_DIR:
        settings.LOCALE_PATHS = [LOCALE_DIR, *settings.LOCALE_PATHS]
    today = timezone.localdate()
    recent, year_before = today - datetime.timedelta(days=30), today - datetime.timedelta(days=395)
    falling = CustomerFactory(owner=sales1, name="华夏商旅", grade="A", is_key_account=True)
    _paid(falling, "86000.00", year_before)
    _paid(falling, "21500.00", recent)
    rising = CustomerFactory(owner=sales2, name="远航科技", grade="A")
    _paid(rising, "12000.00", year_before)
    _paid(rising, "31800.00", recent)
    complaining = CustomerFactory(owner=sales2, name="北辰集团", is_key_account=True)
    ServiceRecordFactory(
        customer=complaining, summary="接机迟到四十分钟", occurred_at=timezone.now()
    )
    elsewhere = CustomerFactory(owner=sales3, name="北方贸易", grade="A")
    _paid(elsewhere, "50000.00", year_before)
    planning_run(today=today)
    assert CustomerWarning.objects.count() == 4

    _sign_in(page, live_server, sales1)
    page.goto(f"{live_server.url}/followups/")
    warnings = page.locator("[data-testid=warnings]")
    expect(warnings).to_contain_text("华夏商旅")
    expect(warnings).to_contain_text("Spend down 75%")
    expect(page.locator("body")).not_to_contain_text("远航科技")
    expect(page.locator("body")).not_to_contain_text("北方贸易")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "followups-warnings-my-day.png"), full_page=True)
    photograph_layouts(
        page,
        live_server,
        "followups-warnings-my-day",
        lambda: page.goto(f"{live_server.url}/followups/"),
    )

    _sign_in(page, live_server, lead1)
    page.goto(f"{live_server.url}/followups/")
    warnings = page.locator("[data-testid=warnings]")
    for name in ("华夏商旅", "远航科技", "北辰集团", "王磊", "李娜", "Complaint: 接机迟到四十分钟"):
        expect(warnings).to_contain_text(name)
    expect(page.locator("body")).not_to_contain_text("北方贸易")
    expect(page.locator("[data-testid=backlog]")).to_be_visible()
    photograph_layouts(
        page,
        live_server,
        "followups-warnings-team",
        lambda: page.goto(f"{live_server.url}/followups/"),
    )

    _sign_in(page, live_server, sales1)
    page.goto(f"{live_server.url}/followups/")
    warning = CustomerWarning.objects.get(customer=falling)
    row = page.locator(f"[data-warning='{warning.pk}']")
    row.locator("input[name=note]").fill("已拜访李总：预算下调，约定一月份重新报价")
    row.locator(f"[data-testid=handle-{warning.pk}]").click()
    expect(page.locator("body")).to_contain_text("Warning handled: 华夏商旅.")
    expect(page.locator("body")).not_to_contain_text("Spend down 75%")
    warning.refresh_from_db()
    assert warning.handled_by == sales1 and warning.handled_note.startswith("已拜访李总")
