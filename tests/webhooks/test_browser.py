"""A manager registers an endpoint in a real browser, copies the secret shown once, sends
a test event that a real receiver verifies, and reads the log; every page fits a 390 px
phone in both languages without sideways scrolling."""

import pytest
from playwright.sync_api import expect

from tests.browser.layouts import photograph_layouts, set_language
from tests.factories import PASSWORD
from webhooks.models import Delivery, Endpoint

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, live_server, user):
    set_language(page, live_server, "en")
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")  # the home page


def fits_a_phone(page, live_server, what: str) -> None:
    """At 390 px, in English and Chinese, the page scrolls down, never sideways."""
    url = page.url
    size = page.viewport_size
    page.set_viewport_size({"width": 390, "height": 844})
    for language in ("zh-hans", "en"):
        set_language(page, live_server, language)
        page.goto(url)
        widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        assert widths[0] <= widths[1], f"{what} ({language}): {widths[0]} px on {widths[1]}"
    page.set_viewport_size(size)


def test_a_manager_registers_an_endpoint_and_sends_a_test_event(
    live_server, page, manager1, receiver
):
    target = receiver()
    page.set_viewport_size({"width": 1366, "height": 900})
    sign_in(page, live_server, manager1)

    page.get_by_test_id("data-menu").locator(".dropdown-toggle").click()
    page.get_by_test_id("webhooks-menu").click()
    expect(page.locator("h1")).to_have_text("Webhooks")
    fits_a_phone(page, live_server, "endpoints page")

    page.get_by_test_id("new-endpoint").click()
    page.fill("input[name=name]", "订单系统 booking-system")
    page.fill("input[name=url]", target.url)
    page.check("input[name=events][value='booking.paid']")
    page.check("input[name=events][value='points.changed']")
    page.click("#endpoint-form button[type=submit]")

    secret = page.get_by_test_id("secret").inner_text().strip()
    endpoint = Endpoint.objects.get()
    assert secret == endpoint.secret
    target.secret = secret
    detail_url = page.url
    page.goto(detail_url)
    expect(page.get_by_test_id("secret-once")).to_have_count(0)  # shown once only
    fits_a_phone(page, live_server, "endpoint page")
    photograph_layouts(page, live_server, "webhook-endpoint", lambda: page.goto(detail_url))

    page.get_by_test_id("send-test").click()
    expect(page.locator("h1")).to_contain_text("Delivered")
    assert len(target.verified()) == 1
    delivery = Delivery.objects.get()
    assert page.url.endswith(f"/deliveries/{delivery.pk}/")
    expect(page.get_by_test_id("payload")).to_contain_text('"type": "ping"')
    fits_a_phone(page, live_server, "delivery page")

    page.goto(f"{live_server.url}/integrations/webhooks/deliveries/?status=delivered")
    expect(page.locator("#deliveries tbody tr")).to_have_count(1)
    fits_a_phone(page, live_server, "delivery log")
    photograph_layouts(page, live_server, "webhook-log", lambda: page.goto(page.url))
    page.goto(f"{live_server.url}/integrations/webhooks/{endpoint.pk}/edit/")
    fits_a_phone(page, live_server, "edit page")
