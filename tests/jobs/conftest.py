import datetime
import zoneinfo
from decimal import Decimal

import pytest
from django.db.migrations.recorder import MigrationRecorder

from tests.factories import BookingFactory, CustomerFactory

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def at(day: datetime.date, hour: int = 2, minute: int = 0) -> datetime.datetime:
    """A moment in Shanghai (the jobs' clock)."""
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=SHANGHAI)


def set_up_on(day: datetime.date) -> None:
    """Pretend the database was set up on `day` (customers/jobs.py's epoch)."""
    MigrationRecorder.Migration.objects.filter(app="customers", name="0001_initial").update(
        applied=at(day, 0)
    )


@pytest.fixture
def installed_long_ago(db):
    set_up_on(datetime.date(2020, 1, 1))


@pytest.fixture
def paid(sales1):
    """A customer of sales1 with a paid booking of `amount` on `day`."""

    def make(amount, day: datetime.date, customer=None):
        customer = customer or CustomerFactory(owner=sales1)
        BookingFactory(
            customer=customer,
            amount=Decimal(amount),
            cost=Decimal(amount) * Decimal("0.8"),
            paid_date=day,
            payment_due_date=day,
            start_date=day,
            end_date=day + datetime.timedelta(days=4),
        )
        return customer

    return make
