"""Sign-in lockouts, read from django-axes' records of failed sign-ins.

A username is locked when its failures within the cool-off (LOGIN_LOCKOUT_MINUTES) reach
the limit (LOGIN_FAILURE_LIMIT), whichever address they came from; an address likewise,
whichever usernames were tried from it. Unlocking (lockout_clear) is called only by the
managers' audited service, customers.services.sign_in.login_unlock."""

import datetime
from dataclasses import dataclass

from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max, Sum
from django.utils import timezone

USERNAME = "username"
ADDRESS = "ip_address"
LOCKOUT_KINDS = (USERNAME, ADDRESS)


@dataclass(frozen=True)
class Lockout:
    kind: str  # USERNAME or ADDRESS
    value: str
    failures: int
    last_attempt: datetime.datetime
    locked_until: datetime.datetime


def lockouts_active(*, now: datetime.datetime | None = None) -> list[Lockout]:
    """The usernames and addresses locked out now, most recent first."""
    now = now or timezone.now()
    cool_off = settings.AXES_COOLOFF_TIME
    recent = AccessAttempt.objects.filter(attempt_time__gte=now - cool_off)
    found = []
    for kind in LOCKOUT_KINDS:
        rows = (
            recent.exclude(**{f"{kind}__isnull": True})
            .values(kind)
            .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
            .filter(failures__gte=settings.AXES_FAILURE_LIMIT)
        )
        found += [
            Lockout(
                kind=kind,
                value=str(row[kind]),
                failures=row["failures"],
                last_attempt=row["last"],
                locked_until=row["last"] + cool_off,
            )
            for row in rows
        ]
    return sorted(found, key=lambda lockout: lockout.last_attempt, reverse=True)


def lockout_clear(*, kind: str, value: str) -> int:
    """Forget the failed sign-ins of one username or one address; the number of records
    removed (0: it was not locked, or the lock had already run out)."""
    if kind not in LOCKOUT_KINDS:
        raise ValueError(kind)
    removed, _detail = AccessAttempt.objects.filter(**{kind: value}).delete()
    return removed
