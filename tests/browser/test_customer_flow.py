"""A sales rep's day in a real browser (Debian Chromium via Playwright): log in, find a
customer, log a contact, see it on the timeline; language switch; duplicates; scope."""

import datetime
from pathlib import Path

import pytest
from playwright.sync_api import expect

from customers.models import ContactRecord, Customer
from tests.factories import (
    PASSWORD,
    BookingFactory,
    CustomerFactory,
    DestinationFactory,
    OrganisationFactory,
)

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, live_server, user):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/customers/")


@pytest.fixture
def book_of_sales1(sales1):
    japan = DestinationFactory(name="日本")
    people = [
        CustomerFactory(owner=sales1, name=name, occupation=job)
        for name, job in [("林晓燕", "教师"), ("陈志强", "工程师"), ("欧阳娜娜", "医生")]
    ]
    people[0].desired_destinations.add(japan)
    BookingFactory(customer=people[0], product="日本关西七日游", destination=japan,
                   trip_type="outbound", start_date=datetime.date(2026, 4, 2),
                   end_date=datetime.date(2026, 4, 8))  # fmt: skip
    OrganisationFactory(owner=sales1, name="上海锦程国际贸易有限公司", is_key_account=True)
    return people


def test_a_rep_finds_a_customer_and_logs_a_contact(
    live_server, page, sales1, sales3, book_of_sales1
):
    CustomerFactory(owner=sales3, name="别人的客户")
    log_in(page, live_server, sales1)
    table = page.locator("table.customers")
    expect(table).to_contain_text("林晓燕")
    expect(table).not_to_contain_text("别人的客户")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "customer-list.png"), full_page=True)

    page.fill("#customer-filter input[name=q]", "林晓")
    page.click("#customer-filter button[type=submit]")
    expect(table.locator("tbody tr")).to_have_count(1)
    table.locator("tbody tr a").first.click()

    form = page.locator("#log-contact")
    form.locator("select[name=channel]").select_option("phone")
    form.locator("select[name=outcome]").select_option("interested")
    form.locator("textarea[name=notes]").fill("客户想去日本看红叶")
    form.locator("input[name=next_step]").fill("发送关西红叶行程")
    form.locator("button[type=submit]").click()

    expect(page.get_by_test_id("timeline")).to_contain_text("客户想去日本看红叶")
    page.screenshot(path=str(SCREENSHOTS / "customer-detail.png"), full_page=True)
    record = ContactRecord.objects.get(notes="客户想去日本看红叶")
    assert record.by == sales1 and record.customer == book_of_sales1[0]


def test_chinese_by_default_and_english_on_request(live_server, page, sales1):
    log_in(page, live_server, sales1)
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    with page.expect_navigation():
        page.select_option("select[name=language]", "en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.goto(f"{live_server.url}/customers/new/")
    expect(page.locator("html")).to_have_attribute("lang", "en")


def test_a_duplicate_mobile_names_the_owning_rep(live_server, page, sales1, sales3):
    taken = CustomerFactory(owner=sales3, name="钱多多")
    log_in(page, live_server, sales1)
    page.goto(f"{live_server.url}/customers/new/")
    page.select_option("select[name=kind]", "individual")
    page.fill("input[name=name]", "新客户")
    page.fill("input[name=mobile]", f"+86 {taken.mobile}")
    page.screenshot(path=str(SCREENSHOTS / "customer-new.png"), full_page=True)
    page.locator("main form button[type=submit]").click()
    expect(page.locator("main")).to_contain_text("张伟")
    expect(page.locator("main")).not_to_contain_text("钱多多")
    assert Customer.objects.filter(mobile=taken.mobile).count() == 1


def test_another_reps_customer_is_not_found(live_server, page, sales1, sales3):
    other = CustomerFactory(owner=sales3)
    log_in(page, live_server, sales1)
    response = page.goto(f"{live_server.url}/customers/{other.pk}/")
    assert response.status == 404
