"""Exports never hand a spreadsheet a formula to run (CSV injection): the customer list,
the tier reports (CSV and XLSX), the points statement and the catalogue mailing list all
write text that starts like a formula as text."""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from customers.spreadsheets import spreadsheet_safe
from loyalty.models import Card
from loyalty.services import booking_points_sync, points_adjust
from tests.factories import BookingFactory, CustomerFactory
from tiers.exports import table_response

pytestmark = pytest.mark.django_db

TRAP = '=HYPERLINK("http://evil.example","点我")'


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (TRAP, "'" + TRAP),
        ("+86 138", "'+86 138"),
        ("-cmd|' /C calc'!A0", "'-cmd|' /C calc'!A0"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1+1", "'\t=1+1"),
        ("-12", "-12"),  # a plain number stays a number
        ("+5.5%", "+5.5%"),
        ("孙悦", "孙悦"),
        (-20, -20),
        (None, None),
    ],
)
def test_formula_like_text_is_written_as_text(value, written):
    assert spreadsheet_safe(value) == written


def test_the_customer_export_writes_a_formula_name_as_text(lead1, sales1, client_as):
    CustomerFactory(owner=sales1, name=TRAP)
    response = client_as(lead1).get(reverse("customers:export"))
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    names = [row[0] for row in csv.reader(io.StringIO(content))][1:]
    assert names == ["'" + TRAP]


def test_tier_tables_keep_formula_text_as_text_in_csv_and_xlsx():
    rows = [[TRAP, 3, "-12"]]
    as_csv = table_response(["name", "n", "delta"], rows, filename="t", fmt="csv")
    parsed = list(csv.reader(io.StringIO(as_csv.content.decode("utf-8-sig"))))
    assert parsed[1] == ["'" + TRAP, "3", "-12"]
    as_xlsx = table_response(["name", "n", "delta"], rows, filename="t", fmt="xlsx")
    cell = load_workbook(io.BytesIO(as_xlsx.content)).active["A2"]
    assert cell.data_type == "s"  # text, not a formula
    assert cell.value == TRAP


def test_the_points_statement_writes_a_formula_reason_as_text(sales1, manager1, client_as):
    customer = CustomerFactory(owner=sales1)
    booking = BookingFactory(customer=customer, paid_date=datetime.date(2026, 2, 18))
    booking_points_sync(booking_id=booking.pk, today=datetime.date(2026, 11, 23))
    card = Card.objects.get(customer=customer)
    points_adjust(actor=manager1, card_id=card.pk, points=5, reason="=1+1",
                  today=datetime.date(2026, 11, 23))  # fmt: skip
    response = client_as(sales1).get(reverse("loyalty:statement_csv", args=[card.pk]))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [row[2] for row in rows if row[1] == "Adjusted"] == ["'=1+1"]
