import datetime
import zoneinfo
from decimal import Decimal

import pytest

from customers.models import BookingStatus, CustodyPolicy
from tests.factories import BookingFactory

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
TODAY = datetime.date(2026, 6, 15)
DAY = datetime.timedelta(days=1)


def unpaid(customer, *, amount, due_on):
    """A booking not yet paid, due on `due_on`, travelling three weeks later."""
    return BookingFactory(
        customer=customer,
        amount=Decimal(amount),
        status=BookingStatus.BOOKED,
        paid_date=None,
        payment_due_date=due_on,
        start_date=due_on + 20 * DAY,
        end_date=due_on + 25 * DAY,
    )


@pytest.fixture
def frozen_today(time_machine):
    """10:00 in Shanghai on TODAY."""
    time_machine.move_to(datetime.datetime(2026, 6, 15, 10, tzinfo=SHANGHAI), tick=False)
    return TODAY


@pytest.fixture(autouse=True)
def _no_two_factor(db):
    """Managers and custodians would be sent to the two-factor step first."""
    policy = CustodyPolicy.current()
    policy.two_factor_roles = []
    policy.save()
