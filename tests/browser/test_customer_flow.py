"""A sales rep's day in a real browser (Debian Chromium via Playwright): log in, find a
customer, log a contact, see it on the timeline; language switch; duplicates; scope.

The screenshots (Chinese, the default) go to docs/screenshots/ with `make screenshots`."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from customers.models import ContactRecord, Customer
from tests.conftest import screenshots_dir
from tests.factories import (
    PASSWORD,
    BookingFactory,
    CustomerFactory,
    DestinationFactory,
    OrganisationFactory,
    TagFactory,
)

SCREENSHOTS = screenshots_dir()
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser_context_args(browser_context_args):
    """A Chinese desktop browser (navigator.language, Accept-Language) in the agency's
    time zone. The server ignores Accept-Language (see the language test). Date inputs
    still read mm/dd/yyyy: Debian's Chromium ships only the en-US locale without the
    chromium-l10n package."""
    return {
        **browser_context_args,
        "locale": "zh-CN",
        "timezone_id": "Asia/Shanghai",
        "viewport": {"width": 1280, "height": 800},
    }


def screenshot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / name), full_page=True)


def log_in(page, live_server, user):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")  # the home page
    page.goto(f"{live_server.url}/customers/")


@pytest.fixture
def catalogue(db):
    """Destinations and tags, so the form's checkbox lists are not empty."""
    destinations = {name: DestinationFactory(name=name) for name in ["三亚", "丽江", "日本"]}
    for name in ["亲子游", "蜜月", "老年团"]:
        TagFactory(name=name)
    return destinations


@pytest.fixture
def book_of_sales1(sales1, catalogue):
    japan = catalogue["日本"]
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
    expect(table.locator("tbody tr")).to_have_count(4)
    expect(table).to_contain_text("林晓燕")
    expect(table).not_to_contain_text("别人的客户")
    screenshot(page, "customer-list.png")

    page.fill("#customer-filter input[name=q]", "林晓")
    page.click("#customer-filter button[type=submit]")
    expect(table.locator("tbody tr")).to_have_count(1)
    table.locator("tbody tr td:first-child a").first.click()
    customer = book_of_sales1[0]
    page.wait_for_url(f"{live_server.url}/customers/{customer.pk}/")

    when = timezone.localtime().replace(second=0, microsecond=0) - datetime.timedelta(hours=2)
    next_on = when.date() + datetime.timedelta(days=7)
    form = page.locator("#log-contact")
    form.locator("select[name=channel]").select_option("phone")
    form.locator("select[name=outcome]").select_option("interested")
    form.locator("input[name=contacted_at]").fill(f"{when:%Y-%m-%dT%H:%M}")
    form.locator("textarea[name=notes]").fill("客户想去日本看红叶")
    form.locator("input[name=next_step]").fill("发送关西红叶行程")
    form.locator("input[name=next_contact_on]").fill(f"{next_on:%Y-%m-%d}")
    form.locator("button[type=submit]").click()

    expect(page).to_have_url(re.compile(rf"/customers/{customer.pk}/#timeline$"))
    timeline = page.get_by_test_id("timeline")
    expect(timeline).to_contain_text("客户想去日本看红叶")
    expect(timeline.locator("li.contact")).to_contain_text(f"{when:%Y-%m-%d %H:%M}")
    screenshot(page, "customer-detail.png")

    record = ContactRecord.objects.get(notes="客户想去日本看红叶")
    assert record.by == sales1
    assert record.customer == customer
    assert record.channel == "phone"
    assert record.contacted_at == when  # the Asia/Shanghai wall time the rep typed
    assert record.next_contact_on == next_on


def test_chinese_by_default_and_english_on_request(live_server, page, sales1):
    # An English browser still gets Chinese: the agency default, not Accept-Language.
    page.set_extra_http_headers({"Accept-Language": "en-US,en;q=0.9"})
    log_in(page, live_server, sales1)
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")

    with page.expect_navigation():
        page.select_option("select[name=language]", "en")
    expect(page).to_have_url(f"{live_server.url}/customers/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("main h1")).to_contain_text("Customers")

    page.goto(f"{live_server.url}/customers/new/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("main h1")).to_have_text("New customer")


def test_a_duplicate_mobile_names_the_owning_rep(live_server, page, sales1, sales3, catalogue):
    taken = CustomerFactory(owner=sales3, name="钱多多")
    before = Customer.all_objects.count()
    log_in(page, live_server, sales1)
    page.goto(f"{live_server.url}/customers/new/")
    page.select_option("select[name=kind]", "individual")
    page.fill("input[name=name]", "新客户")
    page.fill("input[name=mobile]", f"+86 {taken.mobile[:3]} {taken.mobile[3:]}")
    screenshot(page, "customer-new.png")
    page.locator("main form button[type=submit]").click()

    expect(page.locator("input[name=mobile]")).to_have_class(re.compile(r"\bis-invalid\b"))
    expect(page.locator("#div_id_mobile")).to_contain_text("张伟")
    expect(page.locator("main")).not_to_contain_text("钱多多")  # the other archive stays hidden
    assert page.url == f"{live_server.url}/customers/new/"
    assert Customer.all_objects.count() == before
    assert not Customer.all_objects.filter(name="新客户").exists()


def test_another_reps_customer_is_not_found(live_server, page, sales1, sales3):
    other = CustomerFactory(owner=sales3, name="钱多多")
    log_in(page, live_server, sales1)
    for path in [f"/customers/{other.pk}/", f"/customers/{other.pk}/edit/"]:
        response = page.goto(f"{live_server.url}{path}")
        assert response is not None and response.status == 404, path
        expect(page.locator("main h1")).to_be_visible()
        expect(page.locator("main")).not_to_contain_text("钱多多")
