"""Earning for many paid bookings at once: a chunk of synced bookings (the API's batch,
an import) earns its points in a constant number of statements, not one transaction per
booking.

The same rules as `booking_points_sync` (ledger.py), computed the same way: the rulebook
in force on the paid date, the level the customer had that day (their grade then, from
the archive's history, and their net paid spend of the 12 months up to it), the lot's
expiry, a late catch-up's lot expired at once, the card's level by today's rules. What
differs is how: the chunk's cards are locked together (in id order, as every writer of
the ledger locks them one at a time), the bookings are read once under the lock, the
spend and the grade history of all their customers in one query each, and the earn
entries, expiry entries and card rows written with one statement each.

Earned exactly once: the cards are locked before the bookings without an earn entry are
read, and the per-booking earn locks the card too, so the two never both earn a booking
(and the unique earn-per-booking index would refuse it if they did)."""

import datetime
import logging
from collections import defaultdict
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef, Prefetch
from django.utils import timezone

from customers.models import Booking, Customer
from loyalty.models import Card, CardLevel, EntryKind, LedgerEntry, Rulebook
from loyalty.selectors import PAID_STATUSES, level_for, twelve_months_before
from loyalty.signals import points_changed

log = logging.getLogger(__name__)


def _end_of_day(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(
        datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min)
    )


def grade_from_history(rows: list[tuple], day: datetime.date, current: str) -> str:
    """`loyalty.selectors.grade_on` from the customer's history rows in hand
    ((history_date, history_id, grade), any order)."""
    end = _end_of_day(day)
    before = [row for row in rows if row[0] < end]
    if before:
        return max(before, key=lambda row: (row[0], row[1]))[2]
    if rows:
        return min(rows, key=lambda row: (row[0], row[1]))[2]
    return current


def spend_between(rows: list[tuple], start: datetime.date, end: datetime.date) -> Decimal:
    """`loyalty.selectors.net_paid_spend` from the customer's paid bookings in hand
    ((paid_date, net amount))."""
    return sum((net for paid, net in rows if start <= paid <= end), Decimal("0"))


def rulebooks_until(day: datetime.date) -> list[Rulebook]:
    """Every rulebook version in force by `day`, latest first, with its levels (two
    queries; a handful of rows)."""
    return list(
        Rulebook.objects.filter(effective_from__lte=day)
        .order_by("-effective_from")
        .prefetch_related(Prefetch("levels", queryset=CardLevel.objects.order_by("id")))
    )


def rulebook_on(rulebooks: list[Rulebook], day: datetime.date) -> Rulebook | None:
    return next((rulebook for rulebook in rulebooks if rulebook.effective_from <= day), None)


def points_earn_many(*, booking_ids, actor=None, today: datetime.date | None = None) -> int:
    """Earn, once, for the paid bookings among `booking_ids` that have not earned yet.
    Returns the number of bookings that earned. Bookings that already earned and whose
    points no longer match them (refunded, cancelled, paid again) are brought in line
    one by one by `booking_points_sync` (rare: a chunk is mostly new bookings)."""
    from loyalty.services.jobs import bookings_owing_corrections
    from loyalty.services.ledger import booking_points_sync, lot_expiry, points_for

    today = today or timezone.localdate()
    ids = sorted({int(pk) for pk in booking_ids})
    if not ids:
        return 0
    rulebooks = rulebooks_until(today)
    earned = 0
    if rulebooks:
        start = rulebooks[-1].effective_from
        has_earn = LedgerEntry.objects.filter(booking=OuterRef("pk"), kind=EntryKind.EARN)
        due = Booking.objects.filter(
            pk__in=ids, status__in=PAID_STATUSES, paid_date__gte=start, paid_date__lte=today
        ).filter(~Exists(has_earn))
        with transaction.atomic():
            customer_ids = sorted(set(due.values_list("customer_id", flat=True)))
            if customer_ids:
                earned = _earn(
                    due=due,
                    customer_ids=customer_ids,
                    actor=actor,
                    today=today,
                    rulebooks=rulebooks,
                    lot_expiry=lot_expiry,
                    points_for=points_for,
                )
    for booking_id in bookings_owing_corrections(today=today, booking_ids=ids):
        booking_points_sync(booking_id=booking_id, actor=actor, today=today)
    return earned


def _earn(*, due, customer_ids, actor, today, rulebooks, lot_expiry, points_for) -> int:
    by = actor if getattr(actor, "pk", None) else None
    Card.objects.bulk_create(
        [Card(customer_id=pk, created_by=by) for pk in customer_ids], ignore_conflicts=True
    )
    cards = {
        card.customer_id: card
        for card in Card.objects.select_for_update()
        .filter(customer_id__in=customer_ids)
        .order_by("pk")
    }
    # Under the locks: what is still to earn (another worker may have earned meanwhile).
    bookings = list(
        due.values_list("pk", "customer_id", "paid_date", F("amount") - F("refunded_amount"))
    )
    if not bookings:
        return 0
    customer_ids = sorted({customer_id for _pk, customer_id, _paid, _net in bookings})
    first_paid = min(paid for _pk, _c, paid, _net in bookings)
    spend: dict[int, list] = defaultdict(list)
    for customer_id, paid, net in Booking.objects.filter(
        customer_id__in=customer_ids,
        status__in=PAID_STATUSES,
        paid_date__gte=twelve_months_before(first_paid),
        paid_date__lte=today,
    ).values_list("customer_id", "paid_date", F("amount") - F("refunded_amount")):
        spend[customer_id].append((paid, net))
    history: dict[int, list] = defaultdict(list)
    for customer_id, date, history_id, grade in Customer.history.filter(
        id__in=customer_ids
    ).values_list("id", "history_date", "history_id", "grade"):
        history[customer_id].append((date, history_id, grade))
    grades = dict(Customer.all_objects.filter(pk__in=customer_ids).values_list("pk", "grade"))

    entries = []
    for booking_id, customer_id, paid, net in bookings:
        rulebook = rulebook_on(rulebooks, paid)
        if rulebook is None:  # paid before the points programme began
            continue
        level = level_for(
            rulebook=rulebook,
            grade=grade_from_history(history[customer_id], paid, grades[customer_id]),
            spend_12m=spend_between(spend[customer_id], twelve_months_before(paid), paid),
        )
        points = points_for(net, level.earn_rate)
        entries.append(
            LedgerEntry(
                card=cards[customer_id],
                kind=EntryKind.EARN,
                points=points,
                occurred_on=paid,
                actor=by,
                booking_id=booking_id,
                rulebook=rulebook,
                level=level.code,
                earn_rate=level.earn_rate,
                expires_on=lot_expiry(paid, rulebook.validity_months),
                remaining=points,
            )
        )
    LedgerEntry.objects.bulk_create(entries, batch_size=1000)
    posted: dict[int, list] = defaultdict(list)
    for entry in entries:
        posted[entry.card.customer_id].append(entry)
    for entry in _expire_due([cards[pk] for pk in posted], today=today):
        posted[entry.card.customer_id].append(entry)
    # The card's level by today's rules, as each earn leaves it.
    today_rules = rulebooks[0]
    window = twelve_months_before(today)
    changed = []
    for customer_id, card_entries in posted.items():
        card = cards[customer_id]
        card.delta = sum(entry.points for entry in card_entries)
        card.balance += sum(entry.points for entry in card_entries)
        level = level_for(
            rulebook=today_rules,
            grade=grades[customer_id],
            spend_12m=spend_between(spend[customer_id], window, today),
        )
        card.level = level.code
        changed.append(card)
    _cards_update(changed)
    for customer_id, card_entries in posted.items():
        points_changed.send(sender=Card, card_ids=[cards[customer_id].pk], entries=card_entries)
    return len(entries)


def _cards_update(cards: list[Card]) -> None:
    """Move the locked cards' balances by their `delta` and set their levels: one
    UPDATE … FROM (VALUES …) per thousand cards (PostgreSQL and SQLite alike; Django's
    bulk_update spends seconds compiling a CASE per row)."""
    table = connection.ops.quote_name(Card._meta.db_table)
    for start in range(0, len(cards), 1000):
        batch = cards[start : start + 1000]
        rows = ", ".join(["(%s, %s, %s)"] * len(batch))
        params = [value for card in batch for value in (card.pk, card.delta, card.level)]
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET balance = balance + v.column2, level = v.column3 "  # noqa: S608
                f"FROM (VALUES {rows}) AS v WHERE {table}.id = v.column1",
                params,
            )


def _expire_due(cards: list[Card], *, today) -> list[LedgerEntry]:
    """Expire the locked cards' lots whose validity has ended by `today`, as
    `booking_points_sync` does after an earn (a late catch-up may earn points already
    expired)."""
    lots = list(
        LedgerEntry.objects.filter(card__in=cards, remaining__gt=0, expires_on__lte=today).order_by(
            "id"
        )
    )
    if not lots:
        return []
    by_pk = {card.pk: card for card in cards}
    expiries = [
        LedgerEntry(
            card=by_pk[lot.card_id],
            kind=EntryKind.EXPIRE,
            points=-lot.remaining,
            occurred_on=today,
            lot=lot,
            rulebook_id=lot.rulebook_id,
        )
        for lot in lots
    ]
    LedgerEntry.objects.bulk_create(expiries)
    LedgerEntry.objects.filter(pk__in=[lot.pk for lot in lots]).update(remaining=0)
    return expiries


def on_bookings_saved_many(sender, *, booking_ids, actor=None, **kwargs) -> None:
    """Receiver of customers.signals.bookings_saved_many (LoyaltyConfig.ready). The
    bookings are committed: a failure is logged and left to the monthly sweep."""
    try:
        points_earn_many(booking_ids=booking_ids, actor=actor)
    except Exception:
        log.exception(
            "Points for %d synced bookings not earned; the sweep retries", len(booking_ids)
        )
