"""In a real browser (Debian Chromium): the API docs page draws Swagger UI from our own
static files under the site's CSP without a violation, and "Try it out" with a pasted
token reaches the API; the token pages read well at phone width in both languages."""

import pytest
from playwright.sync_api import expect

from api.services import token_create
from tests.browser.layouts import photograph_layouts
from tests.factories import PASSWORD, CustomerFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WATCH_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`);
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
    return lambda: console + page.evaluate("window.__cspViolations || []")


def test_the_docs_page_works_under_the_csp_from_our_own_files(live_server, page, watched, sales1):
    CustomerFactory(owner=sales1, name="孙悦")
    token = token_create(
        actor=sales1, user=sales1, name="docs", scopes=["customers:read"], days=1
    ).plaintext
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(f"{live_server.url}/api/docs/")
    expect(page.locator(".opblock").first).to_be_visible(timeout=20000)
    assert all(url.startswith(live_server.url) for url in requested), requested  # no CDN
    # Authorize with the token, then try the customer list.
    page.get_by_role("button", name="Authorize").first.click()
    page.locator(".modal-ux input[type=text], .modal-ux input").first.fill(token)
    page.locator(".modal-ux button.authorize").first.click()
    page.locator(".modal-ux button.btn-done, .modal-ux .close-modal").first.click()
    operation = page.locator("#operations-customers-customers_list")
    operation.locator(".opblock-summary").click()
    operation.get_by_role("button", name="Try it out").click()
    operation.get_by_role("button", name="Execute").click()
    expect(
        operation.locator(".live-responses-table tbody td.response-col_status").first
    ).to_contain_text("200", timeout=15000)
    expect(operation.locator(".live-responses-table")).to_contain_text("孙悦")
    assert watched() == []


def _log_in(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_token_pages_fit_a_phone(live_server, page, watched, manager1, language):
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )
    page.set_viewport_size({"width": 390, "height": 844})
    _log_in(page, live_server, "manager1")
    page.goto(f"{live_server.url}/api/tokens/")
    page.locator("input[name=name]").fill("我的脚本")
    page.locator("input[name=scopes]").first.check()
    page.get_by_test_id("make-token").click()
    expect(page.get_by_test_id("token-value")).to_contain_text("crm_")
    for path in ["/api/tokens/", "/api/service-accounts/"]:
        page.goto(f"{live_server.url}{path}")
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, (path, overflow)
    photograph_layouts(
        page, live_server, "api-service-accounts",
        lambda: page.goto(f"{live_server.url}/api/service-accounts/"),
    )  # fmt: skip
    assert watched() == []
