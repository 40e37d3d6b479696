"""The monthly points job: catch up bookings the signal missed, refresh card levels,
expire lots past their validity and warn customers ahead of expiry. Claimed per run
date: a second run, or a second worker at the same time, does nothing."""

import datetime
import logging
from collections import defaultdict
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.db.models import (
    Case,
    DecimalField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Floor
from django.utils import translation
from django.utils.translation import gettext as _

from customers.dbstats import tables_analyze
from customers.models import Booking
from customers.services.outbox import MessageDraft, messages_queue
from loyalty.models import (
    GRADE_RANK,
    Card,
    EntryKind,
    ExpiryNotice,
    ExpiryRun,
    LedgerEntry,
    Rulebook,
)
from loyalty.selectors import (
    PAID_STATUSES,
    rulebook_in_force,
    rulebook_levels,
    twelve_months_before,
)
from loyalty.services.annual import annual_rewards_catch_up
from loyalty.services.ledger import booking_points_sync
from loyalty.services.liability import points_liability_refresh
from loyalty.signals import points_changed

log = logging.getLogger(__name__)
NOTICE_DAYS = 30
# The monthly job's safety net catches up at most this many bookings a run (minutes, not
# hours, inside its transaction); a bulk import is caught up with `earn_missed_points`.
SWEEP_LIMIT = 20_000


def bookings_owing_corrections(*, today: datetime.date, booking_ids=None) -> list[int]:
    """Earned bookings (among `booking_ids`, or all) that no longer hold what they
    should (refunded, cancelled, paid again, amount corrected): one query."""
    # The booking's entries against its net paid amount at the rate it earned,
    # compared in SQL; the sync recomputes each exactly.
    corrections = (
        LedgerEntry.objects.filter(
            booking=OuterRef("booking_id"), kind__in=[EntryKind.TOPUP, EntryKind.REVERSE]
        )
        .values("booking_id")
        .annotate(total=Sum("points"))
        .values("total")
    )
    due = Case(
        When(
            booking__status__in=PAID_STATUSES,
            booking__paid_date__lte=today,
            then=Floor(
                (F("booking__amount") - F("booking__refunded_amount")) * F("earn_rate"),
                output_field=IntegerField(),
            ),
        ),
        default=Value(0),
        output_field=IntegerField(),
    )
    earns = LedgerEntry.objects.filter(kind=EntryKind.EARN, booking__isnull=False)
    if booking_ids is not None:
        earns = earns.filter(booking_id__in=booking_ids)
    return list(
        earns
        # Paid again with a date to come: the sync tops it up on that day, not before.
        .exclude(booking__status__in=PAID_STATUSES, booking__paid_date__gt=today)
        .annotate(held=F("points") + Coalesce(Subquery(corrections), Value(0)), due=due)
        .exclude(held=F("due"))
        .values_list("booking_id", flat=True)
    )


def points_sweep(*, today: datetime.date, limit: int | None = None) -> int:
    """Earn for paid bookings that have no earn entry yet, and reverse refunds that were
    missed (a worker died between the booking's commit and the signal). The candidates
    are found in two set-based queries; each is then synced on its own, idempotently.
    `limit` caps the bookings synced (oldest first); the rest wait for the next run."""
    first = Rulebook.objects.order_by("effective_from").values_list("effective_from", flat=True)
    start = first.first()
    if start is None:
        return 0
    earned = LedgerEntry.objects.filter(booking=OuterRef("pk"), kind=EntryKind.EARN)
    missing = Booking.objects.filter(
        status__in=PAID_STATUSES,
        paid_date__gte=start,
        paid_date__lte=today,
        customer__deleted_at__isnull=True,
    ).filter(~Exists(earned))
    short = bookings_owing_corrections(today=today)
    missing_ids = missing.order_by("paid_date", "pk").values_list("pk", flat=True)
    ids = (list(missing_ids[:limit]) if limit is not None else list(missing_ids)) + short
    ids = ids[:limit] if limit is not None else ids
    synced = 0
    for booking_id in ids:
        try:  # each sync is its own savepoint: one bad booking does not stop the run
            booking_points_sync(booking_id=booking_id, today=today)
        except Exception:
            log.exception("Points for booking %s not synced by the sweep", booking_id)
        else:
            synced += 1
    return synced


def _grades_at_least(grade: str) -> list[str]:
    if not grade:
        return []
    return [g for g, rank in GRADE_RANK.items() if rank >= GRADE_RANK[grade]]


def card_levels_refresh(*, today: datetime.date) -> int:
    """Every card's level by the rules in force today: one UPDATE per level, highest
    rule wins (each level's UPDATE excludes cards that meet a higher one)."""
    rulebook = rulebook_in_force(on=today)
    if rulebook is None:
        return 0
    spend = (
        Booking.objects.filter(
            customer_id=OuterRef("customer_id"),
            status__in=PAID_STATUSES,
            paid_date__gte=twelve_months_before(today),
            paid_date__lte=today,
        )
        .values("customer_id")
        .annotate(total=Sum(F("amount") - F("refunded_amount")))
        .values("total")
    )
    cards = Card.objects.annotate(
        spend_12m=Coalesce(Subquery(spend), Value(Decimal("0")), output_field=DecimalField())
    )
    levels = rulebook_levels(rulebook)
    changed = 0
    higher = Q(pk__in=[])
    for level in reversed(levels):
        if level.is_open_to_all:
            meets = Q()
        else:
            meets = Q(pk__in=[])
            grades = _grades_at_least(level.grade_at_least)
            if grades:
                meets |= Q(customer__grade__in=grades)
            if level.spend_at_least is not None:
                meets |= Q(spend_12m__gte=level.spend_at_least)
        targets = cards.filter(meets).exclude(higher).exclude(level=level.code).values("pk")
        changed += Card.objects.filter(pk__in=Subquery(targets)).update(level=level.code)
        higher |= meets
    return changed


def points_expire(*, today: datetime.date) -> tuple[int, int]:
    """Expire every lot whose validity ended by `today`: lock the cards concerned, then
    one INSERT … SELECT writes an expiry entry per lot, one UPDATE moves the balances and
    one clears the lots. Returns (lots, points)."""
    entry = connection.ops.quote_name(LedgerEntry._meta.db_table)
    card = connection.ops.quote_name(Card._meta.db_table)
    day = connection.ops.adapt_datefield_value(today)
    now = connection.ops.adapt_datetimefield_value(datetime.datetime.now(tz=datetime.UTC))
    due = "remaining > 0 AND expires_on <= %s"
    with transaction.atomic(), connection.cursor() as cursor:
        card_ids = list(
            Card.objects.select_for_update()
            .filter(
                pk__in=LedgerEntry.objects.filter(remaining__gt=0, expires_on__lte=today).values(
                    "card_id"
                )
            )
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        cursor.execute(
            f"SELECT COUNT(*), COALESCE(SUM(remaining), 0) FROM {entry} WHERE {due}",  # noqa: S608
            [day],
        )
        lots, points = cursor.fetchone()
        if not lots:
            return 0, 0
        cursor.execute(
            f"INSERT INTO {entry} (card_id, kind, points, occurred_on, created_at, lot_id, "  # noqa: S608
            "rulebook_id, level, reason) "
            f"SELECT card_id, %s, -remaining, %s, %s, id, rulebook_id, '', '' FROM {entry} "
            f"WHERE {due}",
            [EntryKind.EXPIRE.value, day, now, day],
        )
        cursor.execute(
            f"UPDATE {card} SET balance = balance - (SELECT SUM(e.remaining) FROM {entry} e "  # noqa: S608
            f"WHERE e.card_id = {card}.id AND e.remaining > 0 AND e.expires_on <= %s) "
            f"WHERE id IN (SELECT card_id FROM {entry} WHERE {due})",
            [day, day],
        )
        cursor.execute(f"UPDATE {entry} SET remaining = 0 WHERE {due}", [day])  # noqa: S608
        # The open-lot reads after it (the liability, redemptions) see the lots gone.
        tables_analyze(LedgerEntry, Card, changed_rows=lots)
        points_changed.send(sender=Card, card_ids=card_ids, entries=[])
    return int(lots), int(points)


def notice_horizon(today: datetime.date) -> datetime.date:
    """Warn about lots expiring before the next monthly run plus 30 days, so every lot
    is announced at least 30 days ahead although the job runs monthly."""
    next_run = (today.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
    return max(today, next_run) + datetime.timedelta(days=NOTICE_DAYS)


def _claim_notices(*, today: datetime.date) -> dict[str, list[tuple[int, datetime.date]]]:
    """Record a notice for every open lot expiring within the horizon that has none yet,
    for customers with an e-mail address; return what to send, by address."""
    lots = list(
        LedgerEntry.objects.filter(
            remaining__gt=0, expires_on__gt=today, expires_on__lte=notice_horizon(today)
        )
        .filter(~Exists(ExpiryNotice.objects.filter(lot=OuterRef("pk"))))
        .exclude(card__customer__email="")
        .filter(card__customer__deleted_at__isnull=True)
        .values_list("pk", "remaining", "expires_on", "card__customer__email")
    )
    ExpiryNotice.objects.bulk_create(
        [ExpiryNotice(lot_id=pk, sent_on=today, email=email) for pk, _r, _e, email in lots],
        batch_size=2000,
    )
    by_address = defaultdict(list)
    for _pk, remaining, expires_on, email in lots:
        by_address[email].append((remaining, expires_on))
    return by_address


def _send_notices(by_address: dict[str, list[tuple[int, datetime.date]]]) -> int:
    messages = []
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Your travel points are about to expire")
        for email, lots in by_address.items():
            lines = [
                _("%(points)d points expire on %(date)s.")
                % {"points": points, "date": expires_on.isoformat()}
                for points, expires_on in sorted(lots, key=lambda lot: lot[1])
            ]
            advice = _(
                "Use them for a reward or a trip before then; your account manager can help."
            )
            messages.append(MessageDraft([email], subject, "\n".join([*lines, "", advice])))
    return len(messages_queue(kind="loyalty.points_expiry", drafts=messages))


def points_monthly(*, today: datetime.date) -> ExpiryRun | None:
    """The monthly job (Celery `loyalty.tasks.points_expiry_task`, command
    `expire_points`). None when this date's run was already claimed."""
    with transaction.atomic():
        run, created = ExpiryRun.objects.get_or_create(run_date=today)
        if not created:
            return None
        run.swept_bookings = points_sweep(today=today, limit=SWEEP_LIMIT)
        run.levels_changed = card_levels_refresh(today=today)
        run.expired_lots, run.expired_points = points_expire(today=today)
        notices = _claim_notices(today=today)
        # Queued in the outbox with the claim: sent after the commit, again while mail
        # is down; a run is never repeated for its e-mails.
        run.notices_sent = _send_notices(notices) if notices else 0
        run.save()
    # Purchases of a year already rewarded, recorded late, are not forgotten.
    annual_rewards_catch_up(today=today)
    # The run moved many lots (expired, earned by the sweep) and card levels: the
    # liability page shows them now rather than at the next ten-minute refresh.
    points_liability_refresh()
    return run
