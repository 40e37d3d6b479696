"""Money reads the same in both languages (¥17,120,200.00, never ¥17120200), and
exports write it with two decimals."""

import csv
import io
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse
from openpyxl import load_workbook

from customers.spreadsheets import money, table_response
from customers.templatetags.money import format_yuan
from tests.factories import BookingFactory
from tiers.charts import bar_chart, text_width


@pytest.mark.parametrize(
    ("value", "places", "shown"),
    [
        (Decimal("17120200"), 2, "¥17,120,200.00"),
        (Decimal("1706983.8100000000"), 2, "¥1,706,983.81"),
        (Decimal("1706983.5"), 0, "¥1,706,984"),
        (Decimal("-1234.5"), 2, "-¥1,234.50"),
        (Decimal("0.0100"), -4, "¥0.01"),
        (Decimal("0.0125"), -4, "¥0.0125"),
        (None, 2, "—"),
    ],
)
def test_yuan_groups_thousands(value, places, shown):
    assert format_yuan(value, places) == shown


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_customer_page_groups_thousands_in_both_languages(customer_of_sales1, client_as, language):
    BookingFactory(customer=customer_of_sales1, amount=Decimal("17120200"), cost=Decimal("0"))
    client = client_as(customer_of_sales1.owner)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    html = client.get(reverse("customers:detail", args=[customer_of_sales1.pk])).text
    assert "¥17,120,200.00" in html
    assert "17120200" not in html


def test_exports_write_money_with_two_decimals():
    total = Decimal("1706983.8100000000")  # as a SUM comes back from SQLite
    rows = [["孙悦", money(total), Decimal("12.5")]]
    as_csv = table_response(["name", "spend", "margin"], rows, filename="t", fmt="csv")
    line = list(csv.reader(io.StringIO(as_csv.content.decode("utf-8-sig"))))[1]
    assert line == ["孙悦", "1706983.81", "12.5"]
    as_xlsx = table_response(["name", "spend", "margin"], rows, filename="t", fmt="xlsx")
    cell = load_workbook(io.BytesIO(as_xlsx.content)).active.cell(row=2, column=2)
    assert cell.value == pytest.approx(1706983.81) and cell.number_format == "#,##0.00"


def test_bar_chart_makes_room_for_its_longest_label():
    label = "No longer a target customer"
    svg = str(bar_chart([{"label": label, "customers": 3}], title="t"))
    anchor = float(svg.split('<text x="')[1].split('"')[0])  # the label ends here
    assert anchor >= text_width(label, 12)  # so it starts at or right of 0
