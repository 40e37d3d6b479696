"""A person's request for a copy, in a real browser: the custodian registers it from the
customer's page, makes the copy in the background, downloads it once, and the request
page then says it was downloaded. The request pages and the processing record fit a
phone (390 px) in both languages. With CRM_LAYOUT_SHOTS_DIR set, each page is
photographed in English and Chinese at 1366 and 390 px."""

import datetime

import pytest
from playwright.sync_api import expect

from privacy.models import ConsentText, DormantProposal, RightsRequest
from tests.browser.layouts import photograph_layouts
from tests.factories import PASSWORD, BookingFactory, CustomerFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser_context_args(browser_context_args):
    return {
        **browser_context_args,
        "locale": "zh-CN",
        "timezone_id": "Asia/Shanghai",
        "viewport": {"width": 1366, "height": 900},
        "accept_downloads": True,
    }


def _log_in(page, live_server, user):
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    expect(page.get_by_test_id("current-user")).to_be_attached()


def _fits_a_phone(page, live_server, url):
    for language in ("en", "zh-hans"):
        page.context.add_cookies(
            [{"name": "django_language", "value": language, "url": live_server.url}]
        )
        page.set_viewport_size({"width": 390, "height": 800})
        page.goto(url)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{url} in {language} is {width} px wide on a phone"
        # Nor hidden inside a table's own scroll box (a column pushed out of sight, a
        # heading one letter a line): every table fits its box.
        wide = page.evaluate(
            "[...document.querySelectorAll('.table-responsive')]"
            ".filter(e => e.scrollWidth > e.clientWidth).map(e => e.innerText.slice(0, 40))"
        )
        assert not wide, f"{url} in {language}: a table scrolls sideways on a phone: {wide}"
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page.set_viewport_size({"width": 1366, "height": 900})


def test_a_custodian_registers_a_copy_request_makes_the_copy_and_downloads_it_once(
    page, live_server, custodian1, sales1
):
    person = CustomerFactory(owner=sales1, name="林小雨")
    BookingFactory(customer=person, product="桂林山水四日游")
    ConsentText.objects.create(
        version="2026-01", title="个人信息处理同意书", body="本社为履行旅游合同处理您的个人信息。",
        published_on=datetime.date(2026, 1, 1),
    )  # fmt: skip
    _log_in(page, live_server, custodian1)
    page.goto(f"{live_server.url}/customers/{person.pk}/")
    page.get_by_test_id("register-rights-request").click()
    page.get_by_label("Copy of the person's information").check()
    page.select_option("select[name=channel]", "in_person")
    page.fill("textarea[name=details]", "要求提供全部个人信息副本")
    page.get_by_role("button", name="Register").click()
    expect(page.locator(".alert-success")).to_contain_text("the answer is due on")
    request = RightsRequest.objects.get()
    detail_url = page.url

    page.get_by_test_id("copy-make").click()
    expect(page.locator('[data-copy-status="ready"]')).to_be_visible()
    with page.expect_download() as download:
        page.get_by_test_id("copy-download").click()
    assert download.value.suggested_filename.endswith(".zip")
    page.goto(detail_url)
    expect(page.locator('[data-copy-status="downloaded"]')).to_be_visible()
    expect(page.get_by_test_id("copy-download")).to_have_count(0)

    urls = {
        "rights-requests": f"{live_server.url}/privacy/requests/",
        "rights-request": detail_url,
        "rights-new": f"{live_server.url}/privacy/customers/{person.pk}/requests/new/",
        "processing-record": f"{live_server.url}/privacy/record/",
    }
    for url in urls.values():
        _fits_a_phone(page, live_server, url)
    for name, url in urls.items():
        photograph_layouts(page, live_server, name, lambda url=url: page.goto(url))
    page.goto(f"{live_server.url}/")
    photograph_layouts(page, live_server, "rights-home", lambda: page.goto(f"{live_server.url}/"))
    assert request.pk


def test_the_dormant_queue_reads_as_cards_on_a_phone(page, live_server, custodian1, sales1):
    """At 390 px the queue's six columns squeezed names and owners to one character a
    line; each person is a card with the tick box beside it and the dates labelled."""
    for name in ["欧阳建华", "诸葛明月"]:
        DormantProposal.objects.create(
            customer=CustomerFactory(owner=sales1, name=name),
            proposed_on=datetime.date(2026, 12, 2),
        )
    _log_in(page, live_server, custodian1)
    url = f"{live_server.url}/privacy/dormant/"
    _fits_a_phone(page, live_server, url)
    page.context.add_cookies(
        [{"name": "django_language", "value": "zh-hans", "url": live_server.url}]
    )
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto(url)
    row = page.locator("table.dormant-queue tbody tr").first
    assert row.evaluate("r => getComputedStyle(r).display") == "grid"
    name = row.locator("td.name a")
    assert name.evaluate("a => a.getClientRects().length") == 1  # one line, not a column
    expect(row.locator("td.owner")).to_have_text(sales1.display_name)
    photograph_layouts(page, live_server, "dormant-queue", lambda: page.goto(url))
