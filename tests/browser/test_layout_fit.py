"""Does the product fit the screens people use? Measured in a real browser.

- Laptop, 1280 px, English and Chinese, every role: the menu bar does not overflow, and
  the language switch, the person's menu and its Log out are inside the window.
- Phone, 390 px, English and Chinese, a rep's pages (customer list, a customer's page,
  the points statement, a new customer, a contact being logged): the page is no wider
  than the phone (`document.documentElement.scrollWidth` <= 390); the list's filters
  fold behind one button and its rows are cards.

The README's pictures of the customer list (laptop and phone) and of a customer's page on
a phone are saved here (customer-list-laptop.png, customer-list-phone.png,
customer-page-phone.png) with `make screenshots`; a scratch folder otherwise."""

import datetime
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from customers.models import (
    AccessRequest,
    ContactRecord,
    SecurityAlert,
    SecurityAlertKind,
)
from loyalty.models import Card
from loyalty.services import booking_points_sync
from tests.browser.layouts import LAYOUT_SHOTS_DIR
from tests.conftest import screenshots_dir
from tests.factories import (
    PASSWORD,
    BookingFactory,
    ContactPersonFactory,
    ContactRecordFactory,
    CustomerFactory,
    OrganisationFactory,
    TagFactory,
)

SCREENSHOTS = screenshots_dir()
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
LANGUAGES = ["zh-hans", "en"]
ROLES = ["sales1", "lead1", "manager1", "finance1", "custodian1"]


@pytest.fixture
def browser_context_args(browser_context_args):
    return {
        **browser_context_args,
        "locale": "zh-CN",
        "timezone_id": "Asia/Shanghai",
        "viewport": {"width": 1280, "height": 800},
    }


def log_in(page, live_server, user):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    expect(page.get_by_test_id("current-user")).to_be_attached()


def use_language(page, live_server, language):
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )


def page_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def inside_window(page, locator) -> bool:
    """Visible and wholly between the window's left and right edges."""
    expect(locator).to_be_visible()
    box = locator.bounding_box()
    width = page.evaluate("window.innerWidth")
    return box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width


@pytest.fixture
def busy_agency(staff, sales1, sales3):
    """What makes a bar widest: a manager's open alert and pending special-access request
    (badges on the menu), long names in the rep's book."""
    SecurityAlert.objects.create(
        kind=SecurityAlertKind.MASS_EXPORT, actor=sales3, attempted=900, already_in_window=0,
        limit=500,
    )  # fmt: skip
    AccessRequest.objects.create(
        requester=sales1, customer=CustomerFactory(owner=sales3), reason="客户来电咨询"
    )
    return staff


@pytest.fixture
def rep_book(sales1):
    """A rep's book with the long values that break a phone layout: a long company name,
    a long e-mail and address, contact people, a timeline and a points card."""
    TagFactory(name="年度大客户")
    organisation = OrganisationFactory(
        owner=sales1,
        name="上海浦东新区国际会展与商务旅行服务有限责任公司",
        is_key_account=True,
        email="corporate.travel.department@pudong-exhibition-services.example.com",
        street_address="世纪大道1000号国际金融中心二期写字楼三十八层3801-3805室",
    )
    for name in ["欧阳明远", "司马晓雯"]:
        ContactPersonFactory(customer=organisation, name=name, title="行政与差旅管理部高级经理")
    traveller = CustomerFactory(owner=sales1, name="林晓雨", occupation="中学教师")
    booking = BookingFactory(
        customer=traveller,
        product="日本关西京都大阪奈良七日深度游（含温泉酒店）",
        amount=Decimal("18800"),
        paid_date=datetime.date(2026, 2, 18),
    )
    booking_points_sync(booking_id=booking.pk)
    for n in range(3):
        ContactRecordFactory(
            customer=traveller,
            by=sales1,
            contacted_at=timezone.now() - datetime.timedelta(days=10 * n + 1),
            notes="客户询问暑期亲子游线路，希望安排靠窗座位，对酒店早餐有特别要求。" * 2,
        )
    for name in ["陈志强", "欧阳娜娜", "张丽华", "王建军", "刘芳", "赵子龙", "孙悦", "周婷"]:
        CustomerFactory(owner=sales1, name=name)
    return {"organisation": organisation, "traveller": traveller}


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_menu_bar_fits_1280_px_for_every_role(live_server, page, busy_agency, language):
    page.set_viewport_size({"width": 1280, "height": 800})
    for role in ROLES:
        page.context.clear_cookies()
        use_language(page, live_server, language)
        log_in(page, live_server, busy_agency[role])
        page.goto(f"{live_server.url}/customers/")
        assert page_width(page) <= 1280, f"{role} in {language}: the page is wider than 1280 px"
        for item in page.locator("nav.navbar .nav-link:visible").all():
            assert inside_window(page, item), f"{role} in {language}: {item.inner_text()!r}"
        assert inside_window(page, page.locator("#language-switch select")), role
        assert inside_window(page, page.get_by_test_id("current-user")), role
        page.get_by_test_id("current-user").click()
        assert inside_window(page, page.get_by_test_id("log-out")), role
        if role == "manager1" and LAYOUT_SHOTS_DIR:  # for a person to look at
            page.screenshot(path=f"{LAYOUT_SHOTS_DIR}/menu-manager-{language}-1280.png")


def _phone_pages(live_server, rep_book):
    traveller, organisation = rep_book["traveller"], rep_book["organisation"]
    card = Card.objects.get(customer=traveller)
    return {
        "customer list": "/customers/",
        "customer page": traveller.get_absolute_url(),
        "organisation page": organisation.get_absolute_url(),
        "points statement": f"/loyalty/cards/{card.pk}/",
        "new customer": "/customers/new/",
    }


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_reps_pages_fit_a_390_px_phone(live_server, page, sales1, rep_book, language):
    use_language(page, live_server, language)
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, live_server, sales1)
    for name, path in _phone_pages(live_server, rep_book).items():
        page.goto(f"{live_server.url}{path}")
        assert page_width(page) <= 390, f"{name} ({path}) in {language} is wider than 390 px"
        for locator in [page.locator("#language-switch select"), page.locator(".navbar-toggler")]:
            assert inside_window(page, locator), name

    # The list: filters folded behind one button, each customer a card.
    page.goto(f"{live_server.url}/customers/")
    expect(page.locator("#customer-filter")).to_be_hidden()
    page.get_by_test_id("filter-toggle").click()
    expect(page.locator("#customer-filter")).to_be_visible()
    # Bootstrap ignores a click while the panel is still opening.
    expect(page.locator("#customer-filter-panel")).to_have_class(re.compile(r"\bcollapse show\b"))
    row = page.locator("table.customers tbody tr").first
    assert row.evaluate("r => getComputedStyle(r).display") == "grid"
    expect(page.locator("table.customers thead")).to_be_hidden()
    if language == "zh-hans":
        page.get_by_test_id("filter-toggle").click()
        expect(page.locator("#customer-filter")).to_be_hidden()
        page.screenshot(path=str(SCREENSHOTS / "customer-list-phone.png"), full_page=True)

    # The points statement: each entry a block, nothing to scroll sideways inside it.
    card = Card.objects.get(customer=rep_book["traveller"])
    page.goto(f"{live_server.url}/loyalty/cards/{card.pk}/")
    statement = page.locator("table#statement")
    assert statement.evaluate("t => t.scrollWidth <= t.clientWidth"), language
    entry = statement.locator("tbody tr").nth(1)
    assert entry.evaluate("r => getComputedStyle(r).display") == "grid"
    expect(page.locator("table#statement thead")).to_be_hidden()
    if LAYOUT_SHOTS_DIR:  # for a person to look at
        page.screenshot(path=f"{LAYOUT_SHOTS_DIR}/statement-{language}-390.png", full_page=True)

    # The customer's page: the contact form and the timeline one tap away, and a contact
    # logged with a mistake comes back on its own page, which fits too.
    page.goto(f"{live_server.url}{rep_book['traveller'].get_absolute_url()}")
    shortcuts = page.get_by_test_id("phone-shortcuts")
    expect(shortcuts.locator("a[href^='tel:']")).to_be_visible()
    shortcuts.locator("a[href='#log-contact']").click()
    expect(page.locator("#log-contact")).to_be_in_viewport()
    if language == "zh-hans":
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(SCREENSHOTS / "customer-page-phone.png"), full_page=True)
    before = ContactRecord.objects.count()
    form = page.locator("#log-contact")
    form.locator("select[name=channel]").select_option("phone")
    form.locator("select[name=outcome]").select_option(index=1)
    form.locator("input[name=next_contact_on]").fill("2000-01-01")  # before the contact
    page.locator("#log-contact button[type=submit]").click()
    expect(page.locator("#id_next_contact_on.is-invalid")).to_be_visible()
    assert ContactRecord.objects.count() == before
    assert page_width(page) <= 390, f"log a contact in {language} is wider than 390 px"


def test_the_customer_list_on_a_laptop(live_server, page, lead1, rep_book):
    """A team lead's list at 1280 px: filters open beside the table, the bulk bar above it,
    the table inside the window."""
    use_language(page, live_server, "zh-hans")
    log_in(page, live_server, lead1)
    page.goto(f"{live_server.url}/customers/")
    expect(page.locator("#customer-filter")).to_be_visible()
    expect(page.get_by_test_id("filter-toggle")).to_be_hidden()
    expect(page.get_by_test_id("bulk-form")).to_be_visible()
    assert page_width(page) <= 1280
    last_header = page.locator("table.customers thead th").last
    assert inside_window(page, last_header)
    page.screenshot(path=str(SCREENSHOTS / "customer-list-laptop.png"), full_page=True)
