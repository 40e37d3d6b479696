"""Issue 14 in a real browser: the Pareto chart (spend and profit, each in its own order)
and the churn chart by period draw every label inside the picture, and the Pareto notes
sit where no curve crosses them, in English and Chinese, on a desktop and a phone.

With CRM_LAYOUT_SHOTS_DIR set, both cards are photographed in English and Chinese at 1366
and 390 px wide."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from customers.models import Customer, CustomerStatus
from tests.browser.layouts import LAYOUT_SHOTS_DIR, LAYOUTS
from tests.factories import PASSWORD, BookingFactory, CustomerFactory
from tiers.services import monthly_statistics, statistics_default_month

# Every <text> of the chart inside its viewBox; every Pareto note above no curve point.
GEOMETRY = """(svg) => {
  // On screen, so a rotated axis title is measured as drawn.
  const frame = svg.getBoundingClientRect(), out = [];
  for (const t of svg.querySelectorAll('text')) {
    const b = t.getBoundingClientRect();
    if (b.width && (b.left < frame.left - 0.5 || b.top < frame.top - 0.5
        || b.right > frame.right + 0.5 || b.bottom > frame.bottom + 0.5))
      out.push('clipped: ' + t.textContent);
  }
  for (const note of svg.querySelectorAll('text[data-note]')) {
    const b = note.getBBox();
    for (const line of svg.querySelectorAll('polyline')) {
      const pts = line.getAttribute('points').trim().split(' ').map(p => p.split(',').map(Number));
      for (let i = 1; i < pts.length; i++) {
        const [x0, y0] = pts[i - 1], [x1, y1] = pts[i];
        for (let k = 0; k <= 20; k++) {
          const x = x0 + (x1 - x0) * k / 20, y = y0 + (y1 - y0) * k / 20;
          if (x >= b.x && x <= b.x + b.width && y >= b.y && y <= b.y + b.height)
            out.push('crossed: ' + note.textContent);
        }
      }
    }
  }
  return out;
}"""


def _sign_in(page, live_server, user):
    page.context.clear_cookies()
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")


@pytest.fixture
def book(sales1, sales3):
    """Twelve buyers whose spend and profit orders differ (a big customer at a thin
    margin, one at a loss), and customers lost this year, last year and earlier."""
    month = statistics_default_month(today=timezone.localdate())
    paid = month.replace(day=10)
    figures = [(80000, 1000), (30000, 9000), (25000, 8000), (20000, 7000), (15000, 4000),
               (12000, 3000), (9000, 2500), (7000, 2000), (5000, 1200), (4000, 800),
               (3000, 500), (20000, -2000)]  # fmt: skip
    for index, (spend, profit) in enumerate(figures):
        customer = CustomerFactory(owner=sales1 if index % 2 else sales3, name=f"客户{index}")
        BookingFactory(
            customer=customer, amount=Decimal(spend), cost=Decimal(spend - profit),
            start_date=paid, end_date=paid, paid_date=paid, payment_due_date=paid,
        )  # fmt: skip
    reasons = ["poor_service"] * 6 + ["price", "price", "product_defect", "moved_away"]
    for index, reason in enumerate(reasons):
        customer = CustomerFactory(owner=sales1, name=f"流失{index}")
        when = datetime.datetime(
            month.year - (index % 3), 3 + index % 6, 5, 10, tzinfo=datetime.UTC
        )
        Customer.objects.filter(pk=customer.pk).update(
            status=CustomerStatus.LOST, churn_reason=reason, lost_at=when
        )
    monthly_statistics(month=month, today=timezone.localdate())


@pytest.mark.browser
def test_pareto_and_churn_charts_fit_in_every_layout(page, live_server, book, manager1):
    _sign_in(page, live_server, manager1)
    for language, width in LAYOUTS:
        page.context.add_cookies(
            [{"name": "django_language", "value": language, "url": live_server.url}]
        )
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{live_server.url}/tiers/")
        for card in ("report-pareto", "report-churn"):
            svg = page.locator(f"#{card} svg")
            assert svg.count() == 1, (card, language, width)
            assert svg.evaluate(GEOMETRY) == [], (card, language, width)
        # Every other chart of the page too (bar charts size their label column to the
        # longest label: none is cut at the left edge).
        for svg in page.locator("svg.tier-chart").all():
            assert svg.evaluate(GEOMETRY) == [], (language, width)
        for card in ("report-pareto", "report-churn"):
            if LAYOUT_SHOTS_DIR:
                page.locator(f"#{card}").screenshot(
                    path=f"{LAYOUT_SHOTS_DIR}/{card}-{language}-{width}.png"
                )
