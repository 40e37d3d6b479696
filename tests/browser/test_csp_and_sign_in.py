"""In a real browser (Debian Chromium): the main pages of every role, and the Django
admin, run under the Content-Security-Policy without a single violation; the lockout
message and the password-change page read well in Chinese and English, wide and narrow
(screenshots in docs/screenshots/)."""

import datetime

import pytest
from playwright.sync_api import expect

from loyalty.services import card_issue
from tests.conftest import screenshots_dir
from tests.factories import PASSWORD, BookingFactory, CustomerFactory, UserFactory

SCREENSHOTS = screenshots_dir()
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Every CSP violation, however it is reported: the DOM event and the console message.
WATCH_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(
    `${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""


@pytest.fixture
def watched(page):
    console = []
    page.on(
        "console",
        lambda msg: console.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    page.add_init_script(WATCH_VIOLATIONS)

    def violations():
        return console + page.evaluate("window.__cspViolations || []")

    return violations


def _log_in(page, live_server, username, *, language="zh-hans"):
    page.context.clear_cookies()
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()


@pytest.fixture
def agency(sales1, manager1, custodian1, finance1):
    customer = CustomerFactory(owner=sales1, name="孙悦")
    BookingFactory(
        customer=customer,
        start_date=datetime.date(2026, 3, 1),
        end_date=datetime.date(2026, 3, 6),
        paid_date=datetime.date(2026, 2, 1),
    )
    card = card_issue(actor=sales1, customer=customer)
    admin = UserFactory(username="admin", is_staff=True, is_superuser=True)
    return {"customer": customer, "card": card, "admin": admin}


def _pages(agency):
    customer, card = agency["customer"], agency["card"]
    return {
        "sales1": [
            "/customers/",
            f"/customers/{customer.pk}/",
            f"/customers/{customer.pk}/edit/",
            "/customers/new/",
            "/followups/",
            "/tiers/",
            "/loyalty/",
            f"/loyalty/cards/{card.pk}/",
            "/accounts/password/",
        ],
        "manager1": [
            "/customers/",
            f"/customers/{customer.pk}/",
            "/customers/staff/",
            "/customers/staff/lockouts/",
            "/followups/",
            "/tiers/",
            "/tiers/review/",
            "/loyalty/",
            "/loyalty/liability/",
            "/followups/events/",
            "/followups/mailings/",
            "/admin/",
        ],
        "custodian1": ["/customers/", "/archives/", "/admin/"],
        "finance1": ["/customers/", "/tiers/", "/loyalty/"],
        "admin": [
            "/admin/",
            "/admin/customers/customer/",
            f"/admin/customers/customer/{customer.pk}/change/",
            f"/admin/customers/customer/{customer.pk}/history/",
            "/admin/accounts/user/",
            f"/admin/accounts/user/{agency['admin'].pk}/change/",
            "/admin/auth/group/1/change/",
        ],
    }


def test_no_page_of_any_role_violates_the_content_security_policy(
    live_server, page, agency, watched
):
    page.goto(f"{live_server.url}/accounts/login/")
    opened = []
    for username, paths in _pages(agency).items():
        _log_in(page, live_server, username)
        for path in paths:
            response = page.goto(f"{live_server.url}{path}")
            page.wait_for_load_state("networkidle")
            opened.append((username, path, response.status))
            assert response.status == 200, (username, path, response.status)
            assert watched() == [], (username, path, watched())
    # The behaviour moved out of inline handlers still works: the language switch.
    page.goto(f"{live_server.url}/customers/")
    page.select_option("#language-switch select", "en")
    page.wait_for_load_state()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert watched() == []


def _shoot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / name), full_page=True)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("width", [1366, 390])
def test_lockout_and_password_change_pages(live_server, page, sales1, watched, language, width):
    page.set_viewport_size({"width": width, "height": 800})
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )
    for _ in range(5):
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("input[name=username]", "sales1")
        page.fill("input[name=password]", "wrong-guess")
        page.click("main form button[type=submit]")
    message = page.get_by_test_id("lockout-message")
    expect(message).to_be_visible()
    expect(message).to_contain_text("30")
    _shoot(page, f"sign-in-locked-{language}-{width}.png")
    from axes.utils import reset

    reset(username="sales1")
    reset(ip="127.0.0.1")

    sales1.must_change_password = True
    sales1.save()
    _log_in(page, live_server, "sales1", language=language)
    expect(page.get_by_test_id("password-change-required")).to_be_visible()
    _shoot(page, f"password-change-{language}-{width}.png")
    assert watched() == []
