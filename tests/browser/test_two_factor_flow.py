"""Two-factor sign-in in a real browser: a manager (whose role must use it) signs in, is
sent to set-up, scans — here: reads the key off the page —, confirms with a code, keeps
the recovery codes, logs out, and signs in again with password and code.

Screenshots of the set-up and code pages go to docs/screenshots/ (Chinese, desktop) and,
at 1366 and 390 px in Chinese and English, to a temporary folder for review."""

import os
import re
import tempfile
from base64 import b32decode
from pathlib import Path

import pytest
from django_otp.oath import totp
from playwright.sync_api import expect

from customers.models import AuditAction, AuditEntry
from tests.conftest import screenshots_dir
from tests.factories import PASSWORD
from twofactor.policy import required_roles as policy_required_roles

DOCS = screenshots_dir()
REVIEW = Path(
    os.environ.get("TWO_FACTOR_SCREENSHOTS", Path(tempfile.gettempdir()) / "two-factor-shots")
)
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser_context_args(browser_context_args):
    return {
        **browser_context_args,
        "locale": "zh-CN",
        "timezone_id": "Asia/Shanghai",
        "viewport": {"width": 1366, "height": 800},
    }


def shots(page, live_server, name: str) -> None:
    """The current page at 1366 and 390 px, in Chinese and English; back to Chinese at
    1366 afterwards. The Chinese desktop one is the README's."""
    REVIEW.mkdir(parents=True, exist_ok=True)
    DOCS.mkdir(parents=True, exist_ok=True)
    for language in ["en", "zh-hans"]:
        page.context.add_cookies(
            [{"name": "django_language", "value": language, "url": live_server.url}]
        )
        page.goto(page.url)  # a GET: never send a form again
        for width in [390, 1366]:
            page.set_viewport_size({"width": width, "height": 800})
            page.screenshot(path=str(REVIEW / f"{name}-{language}-{width}.png"), full_page=True)
    page.screenshot(path=str(DOCS / f"{name}.png"), full_page=True)


def sign_in_with_password(page, live_server, user):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")


def test_a_manager_sets_up_two_factor_then_signs_in_with_a_code(
    live_server, page, manager1, monkeypatch
):
    monkeypatch.setattr("twofactor.policy.required_roles", policy_required_roles)
    console_errors = []
    page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)

    sign_in_with_password(page, live_server, manager1)
    page.wait_for_url(re.compile(r"/accounts/two-factor/set-up/"))
    expect(page.get_by_test_id("enrol-required")).to_be_visible()
    expect(page.get_by_test_id("qr-code").locator("svg")).to_be_visible()
    expect(page.locator("#mainnav")).to_have_count(0)  # no menus until it is set up
    shots(page, live_server, "two-factor-setup")

    # Nothing else opens meanwhile.
    page.goto(f"{live_server.url}/customers/")
    page.wait_for_url(re.compile(r"/accounts/two-factor/set-up/"))

    key = b32decode(re.sub(r"\s", "", page.get_by_test_id("secret").inner_text()))
    page.fill("input[name=code]", f"{totp(key):06d}")
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r"/accounts/two-factor/recovery-codes/"))
    codes = page.get_by_test_id("recovery-codes").locator("li")
    expect(codes).to_have_count(10)
    shots(page, live_server, "two-factor-recovery-codes")
    page.get_by_test_id("codes-kept").click()
    page.wait_for_url(f"{live_server.url}/customers/")  # where the manager was going

    page.get_by_test_id("current-user").click()
    page.get_by_test_id("log-out").click()
    page.wait_for_url(re.compile(r"/accounts/login/"))

    sign_in_with_password(page, live_server, manager1)
    page.wait_for_url(re.compile(r"/accounts/two-factor/code/"))
    shots(page, live_server, "two-factor-code")
    page.fill("input[name=code]", "000000")
    page.click("main form button[type=submit]")
    expect(page.locator(".invalid-feedback")).to_be_visible()
    page.locator("details summary").click()
    page.screenshot(path=str(REVIEW / "two-factor-code-wrong.png"), full_page=True)

    page.wait_for_timeout(1100)  # the back-off after one wrong code
    page.fill("input[name=code]", f"{totp(key, drift=1):06d}")
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")  # the home page
    expect(page.get_by_test_id("current-user")).to_contain_text(manager1.display_name)

    page.get_by_test_id("current-user").click()
    page.get_by_test_id("two-factor-link").click()
    expect(page.get_by_test_id("two-factor-status")).to_contain_text("10")
    page.screenshot(path=str(REVIEW / "two-factor-settings.png"), full_page=True)
    page.get_by_test_id("current-user").click()
    page.screenshot(path=str(REVIEW / "two-factor-user-menu.png"))
    # The pages keep to the Content-Security-Policy (no inline script or handler).
    assert not [e for e in console_errors if "Content Security Policy" in e], console_errors

    actions = list(
        AuditEntry.objects.filter(actor=manager1, action__startswith="2fa_")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [
        AuditAction.TWO_FACTOR_ENROL,
        AuditAction.TWO_FACTOR_FAIL,
        AuditAction.TWO_FACTOR_PASS,
    ]
