"""The demo agency's tiering, added by `manage.py load_demo` after the customers: a year
of monthly statistics, the half-yearly evaluation before last approved (so customers
have grades, a few manual ones, and reps have customers to tell), and the latest one
waiting for manager1's committee review. Idempotent: every job claims its period."""

import datetime

from django.contrib.auth import get_user_model
from django.utils import timezone

from customers.models import Customer
from tiers.models import (
    ChangeSource,
    Evaluation,
    GradeChange,
    GradeNotification,
    NotificationChannel,
    NotificationStatus,
    ProposalStatus,
)
from tiers.services import (
    grade_override,
    half_yearly_review,
    monthly_statistics,
    proposals_decide,
    statistics_default_month,
)
from tiers.statistics import add_months

MONTHS = 13
MANUAL_REASONS = [
    "校友会会长，每年组织一个团",
    "多年合作的企业客户，差旅协议已续签",
]


def _review_dates(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The last two half-yearly review dates (1 January, 1 July) up to today."""
    latest = (
        datetime.date(today.year, 7, 1) if today.month >= 7 else datetime.date(today.year, 1, 1)
    )
    earlier = add_months(latest, -6)
    return earlier, latest


def load(*, stdout, today: datetime.date, seed: int = 2026) -> None:
    manager = get_user_model().objects.get(username="manager1")
    earlier, latest = _review_dates(today)
    # The earlier review first: it computes its own month's statistics.
    first = half_yearly_review(today=earlier)
    if first is not None:
        decided_at = timezone.make_aware(datetime.datetime.combine(earlier, datetime.time(10)))
        proposals_decide(
            actor=manager,
            evaluation=first,
            proposals=first.proposals.all(),
            now=decided_at,
            send_email=False,
        )
        # Told back then: the e-mails went out; the owners still have some calls to make.
        GradeNotification.objects.filter(
            change__evaluation=first, channel=NotificationChannel.EMAIL
        ).update(status=NotificationStatus.SENT, done_at=decided_at)
        for customer, reason in zip(
            Customer.objects.filter(grade="B").order_by("id")[:2], MANUAL_REASONS, strict=False
        ):
            grade_override(actor=manager, customer=customer, grade="A", reason=reason)
        GradeNotification.objects.filter(
            change__source=ChangeSource.MANUAL, channel=NotificationChannel.EMAIL
        ).update(status=NotificationStatus.SENT, done_at=timezone.now())
    last_month = statistics_default_month(today=today)
    computed = 0
    for back in range(MONTHS - 1, -1, -1):
        if monthly_statistics(month=add_months(last_month, -back), today=today):
            computed += 1
    pending = half_yearly_review(today=latest)
    graded = Customer.objects.exclude(grade="").count()
    waiting = (
        Evaluation.objects.get(review_date=latest)
        .proposals.filter(status=ProposalStatus.PENDING)
        .count()
    )
    stdout.write(
        f"Tiering: {computed} month(s) of statistics; {graded} customers graded "
        f"({GradeChange.objects.count()} grade changes); {waiting} proposal(s) of "
        f"{latest:%Y-%m-%d} await the committee" + ("" if pending else " (already there)") + "."
    )
