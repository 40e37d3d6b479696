"""Issue 10 in a real browser: a team lead sees a team customer's ID number as its last
four and the birthday without its year, on the customer page and in the edit form (empty
ID field, the mask as the hint); the owner sees the full birthday and the number in the
form.

With CRM_LAYOUT_SHOTS_DIR set, both pages are photographed for both readers in English and
Chinese at 1366 and 390 px wide."""

import datetime

import pytest
from playwright.sync_api import expect

from customers.masking import mask_id_number
from tests.browser.layouts import photograph_layouts
from tests.factories import PASSWORD, CustomerFactory, make_id_number

BIRTHDAY = datetime.date(1991, 6, 26)


def _sign_in(page, live_server, user):
    page.context.clear_cookies()
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")


@pytest.mark.browser
def test_the_team_lead_sees_the_mask_and_the_owner_the_birthday(page, live_server, lead1, sales1):
    customer = CustomerFactory(
        owner=sales1, name="孙悦", id_number=make_id_number(593, BIRTHDAY), birthday=BIRTHDAY
    )
    masked = mask_id_number(customer.id_number)
    detail = f"{live_server.url}/customers/{customer.pk}/"
    edit = f"{detail}edit/"

    _sign_in(page, live_server, lead1)
    page.goto(detail)
    expect(page.get_by_test_id("id-number")).to_have_text(masked)
    expect(page.get_by_test_id("birthday")).to_have_text("26 June")
    expect(page.get_by_test_id("reveal-id")).to_have_count(0)
    assert "1991" not in page.content()
    page.goto(edit)
    id_field = page.locator("#id_id_number")
    expect(id_field).to_have_value("")
    expect(id_field).to_have_attribute("placeholder", masked)
    expect(page.locator("#id_birthday")).to_be_disabled()
    expect(page.locator("#id_birthday")).to_have_attribute("placeholder", "26 June")
    assert "1991" not in page.content() and customer.id_number not in page.content()
    photograph_layouts(page, live_server, "masking-lead-detail", lambda: page.goto(detail))
    photograph_layouts(page, live_server, "masking-lead-edit", lambda: page.goto(edit))

    _sign_in(page, live_server, sales1)
    page.goto(detail)
    expect(page.get_by_test_id("birthday")).to_have_text("1991-06-26")
    expect(page.get_by_test_id("reveal-id")).to_have_count(1)
    page.goto(edit)
    expect(page.locator("#id_id_number")).to_have_value(customer.id_number)
    photograph_layouts(page, live_server, "masking-owner-detail", lambda: page.goto(detail))
    photograph_layouts(page, live_server, "masking-owner-edit", lambda: page.goto(edit))
