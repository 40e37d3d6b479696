"""Each role's home page in a real browser: on a phone (390 px) and a laptop, in English
and Chinese, nothing runs past the right edge of the page (the navigation bar aside,
which the layout work measures on its own), and each section is there."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from customers.models import BookingStatus, CustodyPolicy
from tests.browser.layouts import LAYOUTS, set_language
from tests.factories import PASSWORD, BookingFactory, ContactRecordFactory, CustomerFactory

# The widest element of the page's main content, measured against the viewport.
MAIN_OVERFLOW = """() => {
  const main = document.querySelector('main');
  let widest = main.scrollWidth;
  for (const el of main.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width && r.right > widest) widest = r.right;
  }
  return Math.ceil(widest) - document.documentElement.clientWidth;
}"""


def _sign_in(page, live_server, user):
    page.context.clear_cookies()
    set_language(page, live_server, "en")
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")


@pytest.fixture
def book(sales1, sales3):
    policy = CustodyPolicy.current()
    policy.two_factor_roles = []
    policy.save()
    today = timezone.localdate()
    long_name = "北京市朝阳区国际旅游文化交流发展有限责任公司华东分公司"
    for owner in (sales1, sales3):
        customer = CustomerFactory(owner=owner, name=long_name, grade="A")
        BookingFactory(
            customer=customer, amount=Decimal("17120200.00"), cost=Decimal("15000000.00"),
            status=BookingStatus.PAID, paid_date=today, payment_due_date=today,
        )  # fmt: skip
        BookingFactory(
            customer=customer, amount=Decimal("134920.00"), status=BookingStatus.BOOKED,
            paid_date=None, payment_due_date=today - datetime.timedelta(days=45),
        )  # fmt: skip
        ContactRecordFactory(customer=customer, contacted_at=timezone.now())


@pytest.mark.browser
@pytest.mark.parametrize(
    ("who", "section"),
    [("sales1", "rep"), ("manager1", "manager"), ("finance1", "finance"),
     ("custodian1", "custodian")],
)  # fmt: skip
def test_home_fits_every_layout(page, live_server, book, staff, who, section):
    _sign_in(page, live_server, staff[who])
    for language, width in LAYOUTS:
        set_language(page, live_server, language)
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{live_server.url}/")
        assert page.locator(f'[data-section="{section}"]').count() == 1
        assert page.evaluate(MAIN_OVERFLOW) <= 0, (who, language, width)
