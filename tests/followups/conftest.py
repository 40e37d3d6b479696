import datetime
import zoneinfo

import pytest
from django.db.models.signals import post_save

from customers.models import Customer, CustomerKind
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


def _agree_to_marketing(sender, instance, created, raw=False, **kwargs):
    from privacy.models import MARKETING_PURPOSES, Consent, ConsentText

    if not created or raw or instance.kind != CustomerKind.INDIVIDUAL:
        return
    text, _ = ConsentText.objects.get_or_create(
        version="test-standard",
        defaults={
            "title": "Standard form",
            "body": "…",
            "published_on": datetime.date(2000, 1, 1),
        },
    )
    Consent.objects.bulk_create(
        Consent(
            customer=instance,
            purpose=purpose,
            given_at=datetime.datetime(2000, 1, 1, tzinfo=SHANGHAI),
            method="paper",
            text=text,
            recorded_by_id=instance.owner_id,
        )
        for purpose in MARKETING_PURPOSES
    )


@pytest.fixture(autouse=True)
def _customers_agree_to_marketing(request):
    """The planning, cap, mailing and event tests are about their own rules, so the people
    they create have signed the standard form agreeing to marketing on every channel.
    Modules that test the consent gate itself set `CONSENT_AS_RECORDED = True` and start
    from no consent; so does a test marked `consent_as_recorded` (a migration test, whose
    database is back before the consent tables exist)."""
    if getattr(request.module, "CONSENT_AS_RECORDED", False) or request.node.get_closest_marker(
        "consent_as_recorded"
    ):
        yield
        return
    post_save.connect(_agree_to_marketing, sender=Customer, dispatch_uid="tests.agree")
    try:
        yield
    finally:
        post_save.disconnect(sender=Customer, dispatch_uid="tests.agree")
