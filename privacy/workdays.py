"""Working days for a person's request deadline. The product keeps no calendar of public
holidays (or of the adjusted working weekends, 调休): a working day is Monday to Friday."""

import datetime


def add_working_days(start: datetime.date, days: int) -> datetime.date:
    """The date `days` working days after `start` (the day received does not count)."""
    day = start
    remaining = days
    while remaining > 0:
        day += datetime.timedelta(days=1)
        if day.weekday() < 5:
            remaining -= 1
    return day
