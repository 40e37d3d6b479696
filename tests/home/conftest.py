import datetime
import zoneinfo

import pytest

from customers.models import CustodyPolicy

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
TODAY = datetime.date(2026, 6, 15)


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
