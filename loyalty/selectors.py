"""Reads. Cards, statements and redemptions are reached through the customers the user
may see (`customer_list_visible`); anything else is 404."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.db.models import F, Min, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from accounts.roles import is_manager
from customers.models import Booking, BookingStatus, Customer
from customers.selectors import customer_can_edit, customer_list_visible
from customers.validators import normalize_mobile
from loyalty.models import (
    AnnualReward,
    AnnualRewardPolicy,
    AnnualRewardTier,
    Card,
    CardLevel,
    EntryKind,
    LedgerEntry,
    Redemption,
    Reward,
    Rulebook,
)

PANEL_ENTRIES = 5
PANEL_EXPIRING_DAYS = 90
PAID_STATUSES = (BookingStatus.PAID, BookingStatus.REFUNDED)


def rulebook_in_force(*, on: datetime.date) -> Rulebook | None:
    """The rulebook version that applies on `on`: the latest one effective by then."""
    return (
        Rulebook.objects.filter(effective_from__lte=on)
        .order_by("-effective_from")
        .prefetch_related(Prefetch("levels", queryset=CardLevel.objects.order_by("id")))
        .first()
    )


# The published rulebooks with their levels, kept per process: (key, rulebooks).
_published_rulebooks: tuple = (None, [])


def rulebooks_published(*, key: tuple) -> list[Rulebook]:
    """Every published rulebook version with its levels, latest effective first, kept
    per process and read again (two queries) when `key` differs from the one they were
    read under. `key` is the latest version's number and publication time, read by the
    caller in a statement it runs anyway (`loyalty.services.statements`). Published
    versions are never changed or deleted (PublishedModel), only added, so the key
    names the whole set: a version published by another process is seen by the next
    transaction that reads the key."""
    global _published_rulebooks
    if key[0] is None:
        return []
    cached_key, rulebooks = _published_rulebooks
    if cached_key != key:
        rulebooks = list(
            Rulebook.objects.order_by("-effective_from").prefetch_related(
                Prefetch("levels", queryset=CardLevel.objects.order_by("id"))
            )
        )
        _published_rulebooks = (key, rulebooks)
    return rulebooks


def rulebook_levels(rulebook: Rulebook) -> list[CardLevel]:
    """The version's levels, lowest first."""
    return sorted(rulebook.levels.all(), key=lambda level: level.rank)


def annual_policy_in_force(*, on: datetime.date) -> AnnualRewardPolicy | None:
    return (
        AnnualRewardPolicy.objects.filter(effective_from__lte=on)
        .order_by("-effective_from")
        .prefetch_related(
            Prefetch(
                "tiers", queryset=AnnualRewardTier.objects.order_by("customer_kind", "-threshold")
            )
        )
        .first()
    )


def net_paid_spend(*, customer_id: int, start: datetime.date, end: datetime.date) -> Decimal:
    """Net paid spend (amount − refunds of paid and refunded bookings) paid in [start, end]."""
    total = Booking.objects.filter(
        customer_id=customer_id, status__in=PAID_STATUSES, paid_date__gte=start, paid_date__lte=end
    ).aggregate(total=Sum(F("amount") - F("refunded_amount")))["total"]
    return total or Decimal("0")


def grade_on(*, customer: Customer, day: datetime.date) -> str:
    """The customer's grade in force at the end of `day`, read from the archive's change
    history (every grade change is recorded there). For a day before the archive began
    (an old booking entered later), the grade it began with."""
    end_of_day = timezone.make_aware(
        datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min)
    )
    history = Customer.history.filter(id=customer.pk).values_list("grade", flat=True)
    grade = (
        history.filter(history_date__lt=end_of_day).order_by("-history_date", "-history_id").first()
    )
    if grade is None:
        grade = history.order_by("history_date", "history_id").first()
    return customer.grade if grade is None else grade


def twelve_months_before(day: datetime.date) -> datetime.date:
    """The first day of the 12-month window that ends on `day`."""
    return day - datetime.timedelta(days=364)


def level_for(*, rulebook: Rulebook, grade: str, spend_12m: Decimal) -> CardLevel:
    """The highest level of `rulebook` whose rule the customer meets."""
    levels = rulebook_levels(rulebook)
    admitted = [level for level in levels if level.admits(grade=grade, spend_12m=spend_12m)]
    return admitted[-1] if admitted else levels[0]


# --- Cards and statements ---------------------------------------------------------------


def card_list_visible(*, user) -> QuerySet[Card]:
    return Card.objects.filter(customer__in=customer_list_visible(user=user))


def card_get_visible(*, user, pk) -> Card:
    try:
        return card_list_visible(user=user).select_related("customer__owner").get(pk=pk)
    except (Card.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def card_can_redeem(*, user, card: Card) -> bool:
    """The customer's owner (and their team lead, and managers) redeem for the customer."""
    return customer_can_edit(user=user, customer=card.customer)


def card_can_adjust(*, user) -> bool:
    return is_manager(user)


def card_panel_context(*, customer: Customer, user) -> dict:
    """The card panel on the customer page: three queries with a card, one without."""
    card = Card.objects.filter(customer=customer).first()
    if card is None:
        return {"card": None, "can_issue": customer_can_edit(user=user, customer=customer)}
    today = timezone.localdate()
    horizon = today + datetime.timedelta(days=PANEL_EXPIRING_DAYS)
    lots = LedgerEntry.objects.filter(card=card, remaining__gt=0, expires_on__gt=today).aggregate(
        expiring=Coalesce(Sum("remaining", filter=Q(expires_on__lte=horizon)), 0),
        next_expiry=Min("expires_on", filter=Q(expires_on__lte=horizon)),
    )
    entries = list(
        card.entries.select_related("redemption__reward", "booking").order_by(
            "-occurred_on", "-id"
        )[:PANEL_ENTRIES]
    )
    card.customer = customer
    return {
        "card": card,
        "expiring_points": lots["expiring"],
        "expiring_days": PANEL_EXPIRING_DAYS,
        "next_expiry": lots["next_expiry"],
        "entries": entries,
        "can_redeem": customer_can_edit(user=user, customer=customer),
    }


@dataclass
class StatementLine:
    entry: LedgerEntry
    balance: int


def statement_lines(
    *, card: Card, start: datetime.date | None = None, end: datetime.date | None = None
) -> tuple[int, list[StatementLine]]:
    """The card's entries in [start, end] with the running balance, and the opening
    balance before `start`. Two queries whatever the history."""
    entries = card.entries.select_related("rulebook", "booking", "redemption__reward", "lot")
    opening = 0
    if start is not None:
        opening = card.entries.filter(occurred_on__lt=start).aggregate(
            total=Coalesce(Sum("points"), 0)
        )["total"]
        entries = entries.filter(occurred_on__gte=start)
    if end is not None:
        entries = entries.filter(occurred_on__lte=end)
    balance = opening
    lines = []
    for entry in entries.order_by("occurred_on", "id"):
        balance += entry.points
        lines.append(StatementLine(entry=entry, balance=balance))
    return opening, lines


def card_open_lots(*, card: Card, today: datetime.date) -> list[LedgerEntry]:
    return list(
        card.entries.filter(remaining__gt=0, expires_on__gt=today)
        .select_related("rulebook")
        .order_by("expires_on", "id")
    )


def card_redemptions(*, card: Card) -> list[Redemption]:
    return list(card.redemptions.select_related("reward", "redeemed_by").order_by("-redeemed_at"))


def card_annual_rewards(*, card: Card) -> list[AnnualReward]:
    return list(AnnualReward.objects.filter(customer_id=card.customer_id).order_by("-year"))


def rewards_offered() -> QuerySet[Reward]:
    return Reward.objects.filter(active=True).order_by("points_price", "name")


def redemption_list_visible(*, user) -> QuerySet[Redemption]:
    return Redemption.objects.filter(card__in=card_list_visible(user=user)).select_related(
        "reward", "card__customer", "redeemed_by"
    )


def redemption_get_visible(*, user, pk) -> Redemption:
    try:
        return redemption_list_visible(user=user).get(pk=pk)
    except (Redemption.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def customer_search_for_redemption(*, user, query: str, limit: int = 20) -> list[Customer]:
    """Visible customers by name or mobile, with their card if they have one, each marked
    `can_redeem` (finance and custodians see cards but do not redeem)."""
    query = query.strip()
    if not query:
        return []
    found = customer_list_visible(user=user).select_related("loyalty_card", "owner__team")
    mobile = normalize_mobile(query)  # full-width digits, spaces, dashes, +86
    if mobile.isdigit():
        found = found.filter(mobile__startswith=mobile)
    else:
        found = found.filter(name__icontains=query)
    customers = list(found.order_by("name", "id")[:limit])
    for customer in customers:
        customer.can_redeem = customer_can_edit(user=user, customer=customer)
    return customers


# --- Reconciliation ---------------------------------------------------------------------


@dataclass
class Reconciliation:
    cards_checked: int
    card_mismatches: list[tuple[int, int, int]]  # card id, cached balance, sum of entries
    lot_mismatches: list[tuple[int, int, int]]  # lot id, cached remaining, points + draws

    @property
    def ok(self) -> bool:
        return not self.card_mismatches and not self.lot_mismatches


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def ledger_reconcile(*, limit: int = 100) -> Reconciliation:
    """Prove the caches: every card's balance equals the sum of its entries, and every
    lot's remaining points equal its points plus the entries drawing on it. Two grouped
    scans of the ledger (set-based), whatever the number of cards."""
    card, entry = _table(Card), _table(LedgerEntry)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT c.id, c.balance, COALESCE(s.total, 0) FROM {card} c "  # noqa: S608
            f"LEFT JOIN (SELECT card_id, SUM(points) AS total FROM {entry} GROUP BY card_id) s "
            "ON s.card_id = c.id WHERE c.balance <> COALESCE(s.total, 0) ORDER BY c.id "
            f"LIMIT {int(limit)}"
        )
        card_mismatches = [tuple(row) for row in cursor.fetchall()]
        cursor.execute(
            f"SELECT l.id, l.remaining, l.points + COALESCE(d.total, 0) FROM {entry} l "  # noqa: S608
            f"LEFT JOIN (SELECT lot_id, SUM(points) AS total FROM {entry} "
            "WHERE lot_id IS NOT NULL GROUP BY lot_id) d ON d.lot_id = l.id "
            "WHERE l.remaining IS NOT NULL AND l.remaining <> l.points + COALESCE(d.total, 0) "
            f"ORDER BY l.id LIMIT {int(limit)}"
        )
        lot_mismatches = [tuple(row) for row in cursor.fetchall()]
        cursor.execute(f"SELECT COUNT(*) FROM {card}")  # noqa: S608
        cards_checked = cursor.fetchone()[0]
    return Reconciliation(
        cards_checked=cards_checked, card_mismatches=card_mismatches, lot_mismatches=lot_mismatches
    )


def entry_kind_label(kind: str) -> str:
    return EntryKind(kind).label
