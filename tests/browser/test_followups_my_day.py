"""A rep opens My day, completes today's visits (a standing weekly visit and a key-account
visit agreed by phone first) and finds them on the customer's timeline."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from customers.models import ContactRecord
from followups.models import Followup, FollowupKind, FollowupStatus, StandingVisit
from followups.services import followup_confirm_appointment, planning_run
from tests.conftest import screenshots_dir
from tests.factories import PASSWORD, ContactRecordFactory, CustomerFactory

SCREENSHOT = screenshots_dir() / "followups-my-day.png"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_rep_completes_todays_visits(live_server, page, sales1, sales3):
    today = timezone.localdate()
    weekly = CustomerFactory(owner=sales1, name="华夏集团", is_key_account=True)
    monthly = CustomerFactory(owner=sales1, name="远航科技", is_key_account=True)
    someone_elses = CustomerFactory(owner=sales3, name="北方贸易", is_key_account=True)
    for customer in (weekly, monthly, someone_elses):
        ContactRecordFactory(
            customer=customer, contacted_at=timezone.now() - datetime.timedelta(days=20)
        )
    StandingVisit.objects.create(
        customer=weekly,
        weekday=today.weekday(),
        time=datetime.time(10),
        route="国贸 → 望京",
        created_by=sales1,
    )
    planning_run(today=today)
    monthly_visit = Followup.objects.get(customer=monthly, kind=FollowupKind.KEY_ACCOUNT)
    followup_confirm_appointment(
        actor=sales1,
        followup=monthly_visit,
        appointment_at=timezone.localtime().replace(hour=15, minute=0, second=0, microsecond=0),
        note="李总电话确认",
    )

    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", sales1.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")  # the home page
    page.click("nav >> text=My day")

    visits = page.locator("[data-testid=group-key_account]")
    expect(visits).to_contain_text("华夏集团")
    expect(visits).to_contain_text("远航科技")
    expect(page.locator("body")).not_to_contain_text("北方贸易")
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT), full_page=True)

    for customer in (weekly, monthly):
        item = visits.locator("[data-testid=item]", has_text=customer.name)
        item.get_by_role("button", name="Reached").click()
        expect(page.locator(".alert-success")).to_contain_text(customer.name)
    expect(page.locator("[data-testid=group-key_account]")).to_have_count(0)

    page.goto(f"{live_server.url}/customers/{monthly.pk}/")
    timeline = page.locator("[data-testid=timeline]")
    expect(timeline).to_contain_text("On-site visit")
    expect(timeline).to_contain_text("Reached, talked")
    assert (
        Followup.objects.filter(owner=sales1, due_on=today, status=FollowupStatus.DONE).count() == 2
    )
    assert ContactRecord.objects.filter(customer=weekly, channel="visit").count() == 1
