import datetime
import zoneinfo

import pytest

from followups.models import FollowupPolicy

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
TODAY = datetime.date(2026, 11, 23)  # a Monday


def at(day: datetime.date, hour: int = 10, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=SHANGHAI)


@pytest.fixture
def frozen(time_machine):
    """The planning clock: 06:00 in Shanghai on TODAY."""
    time_machine.move_to(at(TODAY, 6), tick=False)
    return TODAY


@pytest.fixture
def no_plan_ahead(db):
    """Regular contacts due exactly when the cadence passes (no week ahead), to test the
    cadence boundaries on their own."""
    return FollowupPolicy.objects.create(
        effective_from=datetime.date(2026, 1, 1), plan_ahead_days=0, notes="test"
    )
