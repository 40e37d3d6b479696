import datetime
from decimal import Decimal

import pytest

from tests.factories import BookingFactory


@pytest.fixture
def paid_booking():
    """A paid booking of `amount` paid on `paid` (the trip starts that day, 4 days long)."""

    def make(customer, amount, paid, **extra):
        paid = datetime.date.fromisoformat(paid) if isinstance(paid, str) else paid
        values = {
            "customer": customer,
            "amount": Decimal(str(amount)),
            "cost": Decimal(str(amount)) * Decimal("0.8"),
            "paid_date": paid,
            "payment_due_date": paid,
            "start_date": paid,
            "end_date": paid + datetime.timedelta(days=4),
        }
        values.update(extra)
        return BookingFactory(**values)

    return make
