"""The points ledger: every change is a new entry written with the card row locked, and
the card's cached balance moves in the same transaction (the database refuses a negative
balance). Spending draws on the oldest lots first."""

import datetime
import logging
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import is_manager
from customers.audit import audit_record
from customers.models import AuditAction, Booking, Customer
from loyalty.models import Card, EntryKind, LedgerEntry
from loyalty.selectors import (
    PAID_STATUSES,
    level_for,
    rulebook_in_force,
    rulebooks_published,
    twelve_months_before,
)
from loyalty.services import statements
from loyalty.services.errors import PointsRefused
from loyalty.signals import points_changed

DEFAULT_VALIDITY_MONTHS = 24
log = logging.getLogger(__name__)


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later, or the month's last day (29 Feb + 12 → 28 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return datetime.date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover


def lot_expiry(earned_on: datetime.date, months: int) -> datetime.date:
    """The first day points earned on `earned_on` are no longer valid: they stay valid
    for `months` months and then to the end of that month (never less than promised),
    so lots expire on the 1st, when the monthly job runs."""
    end = add_months(earned_on, months)
    return (end.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)


def points_for(amount: Decimal, rate: Decimal) -> int:
    return int((amount * rate).to_integral_value(rounding=ROUND_FLOOR))


def card_issue(*, actor, customer: Customer) -> Card:
    """The customer's card, issued now if they have none (idempotent)."""
    card, created = Card.objects.get_or_create(
        customer=customer, defaults={"created_by": actor if getattr(actor, "pk", None) else None}
    )
    if created and getattr(actor, "pk", None):
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=card,
            customer=customer,
            object_type="loyalty_card",
        )
    return card


def _rulebooks_by(*, key: tuple, day: datetime.date) -> list:
    """The published rulebooks in force by `day`, latest first (see
    `rulebooks_published`: no query while `key` is the one they were read under)."""
    return [rb for rb in rulebooks_published(key=key) if rb.effective_from <= day]


def _lock_card(*, customer_id: int, actor=None) -> Card:
    """Get or create the customer's card and lock its row until the transaction ends."""
    card = statements.card_lock(customer_id=customer_id)
    if card is not None:
        return card
    # Issued now (a concurrent issue of the same card wins quietly), then locked.
    Card.objects.bulk_create(
        [Card(customer_id=customer_id, created_by=actor if getattr(actor, "pk", None) else None)],
        ignore_conflicts=True,
    )
    return statements.card_lock(customer_id=customer_id)


def _post(card: Card, entries: list[LedgerEntry]) -> list[LedgerEntry]:
    """Write entries and move the locked card's cached balance by their sum."""
    if not entries:
        return []
    created = LedgerEntry.objects.bulk_create(entries)
    card.balance += sum(entry.points for entry in entries)
    card.save(update_fields=["balance"])
    points_changed.send(sender=Card, card_ids=[card.pk], entries=created)
    return created


def _expire_due_lots(card: Card, *, today: datetime.date) -> int:
    """Expire the locked card's lots whose validity has ended by `today` (the expiry job
    does the same set-based for all cards); spending never counts expired points."""
    due = list(card.entries.filter(remaining__gt=0, expires_on__lte=today).order_by("id"))
    _post(
        card,
        [
            LedgerEntry(
                card=card,
                kind=EntryKind.EXPIRE,
                points=-lot.remaining,
                occurred_on=today,
                lot=lot,
                rulebook_id=lot.rulebook_id,
            )
            for lot in due
        ],
    )
    if due:
        LedgerEntry.objects.filter(pk__in=[lot.pk for lot in due]).update(remaining=0)
    return sum(lot.remaining for lot in due)


def _draw(
    card: Card,
    points: int,
    *,
    kind: str,
    today: datetime.date,
    first_lot_id: int | None = None,
    **fields,
) -> list[LedgerEntry]:
    """Take `points` from the locked card's open lots, oldest expiry first (a given lot
    first, for refunds), writing one entry per lot drawn on."""
    lots = list(
        card.entries.filter(remaining__gt=0, expires_on__gt=today).order_by("expires_on", "id")
    )
    if first_lot_id is not None:
        lots.sort(key=lambda lot: lot.pk != first_lot_id)
    entries, left = [], points
    for lot in lots:
        if left == 0:
            break
        take = min(lot.remaining, left)
        left -= take
        entries.append(
            LedgerEntry(card=card, kind=kind, points=-take, occurred_on=today, lot=lot, **fields)
        )
        LedgerEntry.objects.filter(pk=lot.pk).update(remaining=lot.remaining - take)
    if left:  # the balance was checked under the lock; this means the caches disagree
        raise PointsRefused(
            _("The card's lots do not add up to its balance; run the reconciliation.")
        )
    return _post(card, entries)


# --- Earning and refunds ----------------------------------------------------------------


@dataclass
class BookingPoints:
    earned: int = 0
    reversed: int = 0
    shortfall: int = 0


def _earn_first(
    card: Card, booking: Booking, *, grade: str, due: list, rulebooks: list, actor, today
) -> LedgerEntry | None:
    """The booking's first earn, on the locked card, reading each thing once: the
    rulebook in force on the paid date and today's (for the card's level) from the
    process's cache, the customer's paid bookings over both 12-month windows, their
    grade on the paid date; `due` (the card's lots past their validity) was read with
    the check that the booking has not earned. Then one INSERT of the entries and one
    UPDATE of the card."""
    from loyalty.services.earning import _end_of_day, rulebook_on, spend_between

    paid = booking.paid_date
    rulebook = rulebook_on(rulebooks, paid)
    if rulebook is None:  # paid before the points programme began
        return None
    spend, grade_then = statements.spend_rows_and_grade(
        customer_id=booking.customer_id,
        start=twelve_months_before(min(paid, today)),
        end=today,
        grade_end=_end_of_day(paid),
        current=grade,
    )
    level = level_for(
        rulebook=rulebook,
        grade=grade_then,
        spend_12m=spend_between(spend, twelve_months_before(paid), paid),
    )
    points = points_for(booking.net_amount, level.earn_rate)
    earn = LedgerEntry(
        card=card,
        kind=EntryKind.EARN,
        points=points,
        occurred_on=paid,
        actor=actor if getattr(actor, "pk", None) else None,
        booking=booking,
        rulebook=rulebook,
        level=level.code,
        earn_rate=level.earn_rate,
        expires_on=lot_expiry(paid, rulebook.validity_months),
        remaining=points,
    )
    if earn.expires_on <= today and points:
        due.append(earn)
    today_level = level_for(
        rulebook=rulebooks[0],
        grade=grade,
        spend_12m=spend_between(spend, twelve_months_before(today), today),
    )
    card.level = today_level.code
    expiries = [_expiry(card, lot, today=today) for lot in due]
    _post_together(card, [[earn], expiries], lots=due, card_fields=["level"])
    return earn


def _expiry(card: Card, lot: LedgerEntry, *, today) -> LedgerEntry:
    """The entry that expires what is left of `lot` (which is then empty)."""
    entry = LedgerEntry(
        card=card,
        kind=EntryKind.EXPIRE,
        points=-lot.remaining,
        occurred_on=today,
        lot=lot,
        rulebook_id=lot.rulebook_id,
    )
    lot.remaining = 0
    return entry


def _post_together(card: Card, groups: list[list[LedgerEntry]], *, lots=(), card_fields=()) -> None:
    """Write several groups of entries (each announced as `_post` announces one) with
    one INSERT, the lots whose remaining points moved with one UPDATE (entries in the
    same INSERT that are themselves lots are written with their final remaining), and
    the locked card's balance (and `card_fields`) with one UPDATE."""
    entries = [entry for group in groups for entry in group]
    new = {id(entry) for entry in entries}
    if entries:
        # An entry drawn on in the same INSERT (a lot earned already expired) must
        # exist before the entry naming it.
        first = [entry for entry in entries if entry.lot is None or id(entry.lot) not in new]
        later = [entry for entry in entries if entry not in first]
        statements.entries_insert(first)
        for entry in later:
            entry.lot_id = entry.lot.pk
        if later:
            statements.entries_insert(later)
    stored = [lot for lot in lots if id(lot) not in new]
    if stored:
        statements.lots_write(stored)
    card.balance += sum(entry.points for entry in entries)
    statements.card_write(card, ["balance", *card_fields])
    for group in groups:
        if group:
            points_changed.send(sender=Card, card_ids=[card.pk], entries=group)


def _top_up(card: Card, booking: Booking, earn: LedgerEntry, points: int, *, actor, today):
    """The points a booking is owed on top of what it holds (paid again after a
    cancellation, or its amount corrected upwards): a lot of their own, at the rate the
    booking first earned, valid from the day they are recorded."""
    validity = earn.rulebook.validity_months if earn.rulebook_id else DEFAULT_VALIDITY_MONTHS
    return _post(
        card,
        [
            LedgerEntry(
                card=card,
                kind=EntryKind.TOPUP,
                points=points,
                occurred_on=max(booking.paid_date, earn.occurred_on),
                actor=actor if getattr(actor, "pk", None) else None,
                booking=booking,
                rulebook_id=earn.rulebook_id,
                level=earn.level,
                earn_rate=earn.earn_rate,
                expires_on=lot_expiry(today, validity),
                remaining=points,
            )
        ],
    )


def booking_points_due(booking: Booking, earn: LedgerEntry) -> int:
    """What a booking should hold: its net paid amount at the rate it first earned at;
    nothing while it is not paid."""
    paid = booking.status in PAID_STATUSES and booking.paid_date is not None
    return points_for(booking.net_amount, earn.earn_rate) if paid else 0


def booking_points_sync(
    *, booking_id: int, actor=None, today: datetime.date | None = None
) -> BookingPoints:
    """Bring a booking's points in line with the booking, as a net: earn once when it is
    first paid (the rules and the card level in force on the paid date); afterwards the
    booking holds exactly what its net paid amount earns at that rate — a refund, a
    cancellation or a lower amount reverses the difference, a payment after a
    cancellation or a higher amount tops it up. Safe to call any number of times,
    concurrently: the card row is locked, the earn entry is unique per booking, and only
    the difference is ever written."""
    today = today or timezone.localdate()
    result = BookingPoints()
    with transaction.atomic():
        # The booking is read once, locked (a save of it waits; the earn below decides
        # on what it says). Lock order booking → card; nothing locks them the other way.
        booking, grade, has_earn, rulebook_key = statements.booking_lock(booking_id)
        paid = booking.status in PAID_STATUSES and booking.paid_date is not None
        if not paid and not has_earn:
            return result
        card = _lock_card(customer_id=booking.customer_id, actor=actor)
        earn = None
        if not has_earn:
            # Under the card's lock: the set-based earn (which locks cards only) may
            # have earned it meanwhile; read with the lots a late earn may expire.
            has_earn, due = statements.earn_or_due_lots(
                booking_id=booking.pk, card_id=card.pk, today=today
            )
            if not has_earn and paid and booking.paid_date <= today:
                earned = _earn_first(
                    card,
                    booking,
                    grade=grade,
                    due=due,
                    rulebooks=_rulebooks_by(key=rulebook_key, day=today),
                    actor=actor,
                    today=today,
                )
                result.earned = earned.points if earned is not None else 0
                return result
        if has_earn:
            earn = (
                LedgerEntry.objects.filter(booking=booking, kind=EntryKind.EARN)
                .select_related("rulebook")
                .first()
            )
        if earn is None:
            return result
        if paid and booking.paid_date > today:
            return result  # paid again with a date to come: topped up on that day
        held = (
            LedgerEntry.objects.filter(
                booking=booking, kind__in=[EntryKind.EARN, EntryKind.TOPUP, EntryKind.REVERSE]
            ).aggregate(total=Sum("points"))["total"]
            or 0
        )
        owed = held - booking_points_due(booking, earn)
        if owed < 0:
            _top_up(card, booking, earn, -owed, actor=actor, today=today)
            result.earned = -owed
        elif owed > 0:
            _expire_due_lots(card, today=today)
            take = min(owed, card.balance)
            result.shortfall = owed - take
            reason = ""
            if result.shortfall:
                reason = _(
                    "%(short)d points could not be reversed: they were already spent or expired."
                ) % {"short": result.shortfall}
            if take:
                _draw(
                    card,
                    take,
                    kind=EntryKind.REVERSE,
                    today=today,
                    first_lot_id=earn.pk,
                    booking=booking,
                    rulebook_id=earn.rulebook_id,
                    actor=actor if getattr(actor, "pk", None) else None,
                    reason=reason,
                )
            result.reversed = take
    return result


def on_booking_saved(sender, *, booking_id: int, actor=None, **kwargs) -> None:
    """Receiver of customers.signals.booking_saved (connected in LoyaltyConfig.ready).
    The booking is already committed: a failure here must not turn the booking page into
    an error, so it is logged and the monthly sweep earns or reverses what was missed."""
    try:
        booking_points_sync(booking_id=booking_id, actor=actor)
    except Exception:
        log.exception("Points for booking %s not synced; the monthly sweep will retry", booking_id)


# --- Manager adjustments ----------------------------------------------------------------


def points_adjust(
    *, actor, card_id: int, points: int, reason: str, today: datetime.date | None = None
) -> list[LedgerEntry]:
    """A manager adds or removes points with a reason (audited). Added points form a lot
    valid for the validity of the rules in force today; removed points come from the
    oldest lots."""
    today = today or timezone.localdate()
    if not is_manager(actor):
        raise PointsRefused(_("Only managers adjust points."))
    reason = (reason or "").strip()
    if not reason:
        raise PointsRefused(_("Give the reason for the adjustment."))
    if not points:
        raise PointsRefused(_("An adjustment must add or remove at least one point."))
    with transaction.atomic():
        card = (
            Card.objects.select_for_update(of=("self",)).select_related("customer").get(pk=card_id)
        )
        _expire_due_lots(card, today=today)
        rulebook = rulebook_in_force(on=today)
        if points > 0:
            validity = rulebook.validity_months if rulebook else DEFAULT_VALIDITY_MONTHS
            entries = _post(
                card,
                [
                    LedgerEntry(
                        card=card,
                        kind=EntryKind.ADJUST,
                        points=points,
                        occurred_on=today,
                        actor=actor,
                        rulebook=rulebook,
                        expires_on=lot_expiry(today, validity),
                        remaining=points,
                        reason=reason,
                    )
                ],
            )
        else:
            if card.balance < -points:
                raise PointsRefused(
                    _("Not enough points: balance %(balance)d, cannot remove %(points)d.")
                    % {"balance": card.balance, "points": -points}
                )
            entries = _draw(
                card,
                -points,
                kind=EntryKind.ADJUST,
                today=today,
                actor=actor,
                rulebook=rulebook,
                reason=reason,
            )
        audit_record(
            actor=actor,
            action=AuditAction.CHANGE,
            obj=card,
            customer=card.customer,
            object_type="loyalty_card",
            detail={"points": points, "reason": reason, "balance": card.balance},
        )
    return entries
