from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from loyalty.models.choices import (
    CardStatus,
    EntryKind,
    LevelCode,
    RedemptionStatus,
    RewardKind,
)


class Card(models.Model):
    """A customer's points card 积分卡: one per customer. `balance` caches the sum of the
    card's ledger entries; it changes only in the transaction that writes the entry, with
    the card row locked, and the database refuses a negative balance."""

    customer = models.OneToOneField(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="loyalty_card",
    )
    level = models.CharField(
        _("level"), max_length=10, choices=LevelCode.choices, default=LevelCode.STANDARD
    )
    status = models.CharField(
        _("status"), max_length=10, choices=CardStatus.choices, default=CardStatus.ACTIVE
    )
    balance = models.IntegerField(_("balance (points)"), default=0)
    created_at = models.DateTimeField(_("issued"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("points card")
        verbose_name_plural = _("points cards")
        ordering = ["id"]
        permissions = [("adjust_points", _("Can adjust points with a reason"))]
        indexes = [models.Index(fields=["level"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(balance__gte=0),
                name="card_balance_not_negative",
                violation_error_message=_("A points balance cannot be negative."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.customer}"

    def get_absolute_url(self) -> str:
        return reverse("loyalty:statement", kwargs={"pk": self.pk})

    @property
    def number(self) -> str:
        return f"JF{self.pk:08d}" if self.pk else ""


class LedgerEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        # Entries are append-only; only a lot's cached remaining points move.
        if set(kwargs) - {"remaining"}:
            raise PermissionError("Ledger entries cannot be changed; write a new entry.")
        return super().update(**kwargs)

    def delete(self):
        raise PermissionError("Ledger entries cannot be deleted; write a new entry.")

    def lots(self):
        return self.filter(remaining__gt=0)


class LedgerEntry(models.Model):
    """One change to a card's points: earn, redeem, expire, reverse (refund), adjust,
    or cancel (a redemption's points returned). Append-only.

    Earned points (and positive adjustments) form lots 积分批次 with an expiry date
    (`expires_on`: the first day they are no longer valid) and `remaining` points.
    Every entry that takes points away or gives them back names the one lot it draws
    on (`lot`): a redemption across three lots writes three entries. So a lot's
    remaining points are its own points plus the entries that draw on it, and expiry,
    cancellation and reconciliation are exact. `remaining` caches that sum, updated in
    the same locked transaction."""

    card = models.ForeignKey(
        Card, verbose_name=_("card"), on_delete=models.PROTECT, related_name="entries"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=EntryKind.choices)
    points = models.IntegerField(_("points"))
    occurred_on = models.DateField(_("date"))
    created_at = models.DateTimeField(_("recorded"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    booking = models.ForeignKey(
        "customers.Booking",
        verbose_name=_("booking"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="loyalty_entries",
    )
    redemption = models.ForeignKey(
        "loyalty.Redemption",
        verbose_name=_("redemption"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="entries",
    )
    rulebook = models.ForeignKey(
        "loyalty.Rulebook",
        verbose_name=_("rules version"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    level = models.CharField(_("level"), max_length=10, choices=LevelCode.choices, blank=True)
    earn_rate = models.DecimalField(
        _("points per ¥"), max_digits=6, decimal_places=3, null=True, blank=True
    )
    lot = models.ForeignKey(
        "self",
        verbose_name=_("lot"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="draws",
    )
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    remaining = models.IntegerField(_("remaining points"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)

    objects = LedgerEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        ordering = ["occurred_on", "id"]
        indexes = [
            models.Index(fields=["card", "occurred_on", "id"], name="entry_card_date"),
            # Open lots, oldest first: redemption (per card) and the expiry job (all cards).
            models.Index(
                fields=["card", "expires_on", "id"],
                condition=Q(remaining__gt=0),
                name="entry_open_lots_card",
            ),
            models.Index(
                fields=["expires_on"], condition=Q(remaining__gt=0), name="entry_open_lots_expiry"
            ),
        ]
        constraints = [
            # Earn once per booking, whatever happens (re-saves, retries, two workers).
            models.UniqueConstraint(
                fields=["booking"],
                condition=Q(kind=EntryKind.EARN),
                name="entry_one_earn_per_booking",
            ),
            models.CheckConstraint(
                condition=(
                    Q(kind=EntryKind.EARN, points__gte=0)
                    | Q(kind=EntryKind.TOPUP, points__gt=0)
                    | Q(
                        kind__in=[EntryKind.REDEEM, EntryKind.EXPIRE, EntryKind.REVERSE],
                        points__lt=0,
                    )
                    | Q(kind=EntryKind.CANCEL, points__gt=0)
                    | (Q(kind=EntryKind.ADJUST) & ~Q(points=0))
                ),
                name="entry_sign_by_kind",
            ),
            models.CheckConstraint(
                condition=Q(remaining__isnull=True)
                | (Q(remaining__gte=0) & Q(remaining__lte=models.F("points"))),
                name="entry_remaining_within_lot",
            ),
            models.CheckConstraint(
                condition=Q(remaining__isnull=True) | Q(expires_on__isnull=False),
                name="entry_lot_has_expiry",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_on} {self.get_kind_display()} {self.points:+d}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("Ledger entries cannot be changed; write a new entry.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Ledger entries cannot be deleted; write a new entry.")

    @property
    def is_lot(self) -> bool:
        return self.remaining is not None


class Reward(models.Model):
    """An item of the reward catalogue 兑换目录. `stock` empty means unlimited."""

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=RewardKind.choices)
    description = models.TextField(_("description"), blank=True)
    points_price = models.PositiveIntegerField(_("points price"), validators=[MinValueValidator(1)])
    stock = models.PositiveIntegerField(
        _("stock"), null=True, blank=True, help_text=_("Leave empty for unlimited.")
    )
    active = models.BooleanField(_("offered"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("reward")
        verbose_name_plural = _("reward catalogue")
        ordering = ["points_price", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(points_price__gte=1), name="reward_price_positive"),
            models.CheckConstraint(
                condition=Q(stock__isnull=True) | Q(stock__gte=0),
                name="reward_stock_not_negative",
                violation_error_message=_("Stock cannot be negative."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def in_stock(self) -> bool:
        return self.stock is None or self.stock > 0


class Redemption(models.Model):
    """A reward taken for points 兑换. Points and stock are taken together; a cancellation
    gives both back."""

    card = models.ForeignKey(
        Card, verbose_name=_("card"), on_delete=models.PROTECT, related_name="redemptions"
    )
    reward = models.ForeignKey(
        Reward, verbose_name=_("reward"), on_delete=models.PROTECT, related_name="redemptions"
    )
    points = models.PositiveIntegerField(_("points"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=RedemptionStatus.choices,
        default=RedemptionStatus.REDEEMED,
    )
    redeemed_at = models.DateTimeField(_("redeemed"), default=timezone.now)
    redeemed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("redeemed by"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cancelled by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=300, blank=True)
    # The caller's Idempotency-Key (the API): the same key on the same card is the same
    # redemption, however often or however concurrently it is sent.
    idempotency_key = models.CharField(
        _("idempotency key"), max_length=100, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("redemption")
        verbose_name_plural = _("redemptions")
        ordering = ["-redeemed_at", "-id"]
        indexes = [models.Index(fields=["card", "redeemed_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["card", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="redemption_one_per_idempotency_key",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reward} ({self.points})"


class ExpiryRun(models.Model):
    """One run of the monthly points job, claimed by its date: a second run (or a second
    worker at the same time) for the same date does nothing."""

    run_date = models.DateField(_("run for"), unique=True)
    swept_bookings = models.PositiveIntegerField(_("bookings caught up"), default=0)
    levels_changed = models.PositiveIntegerField(_("card levels changed"), default=0)
    expired_lots = models.PositiveIntegerField(_("lots expired"), default=0)
    expired_points = models.PositiveBigIntegerField(_("points expired"), default=0)
    notices_sent = models.PositiveIntegerField(_("customers warned"), default=0)
    created_at = models.DateTimeField(_("ran at"), default=timezone.now)

    class Meta:
        verbose_name = _("points expiry run")
        verbose_name_plural = _("points expiry runs")
        ordering = ["-run_date"]

    def __str__(self) -> str:
        return self.run_date.isoformat()


class ExpiryNotice(models.Model):
    """The customer was warned that this lot expires: one warning per lot."""

    lot = models.OneToOneField(
        LedgerEntry, verbose_name=_("lot"), on_delete=models.PROTECT, related_name="notice"
    )
    sent_on = models.DateField(_("warned on"))
    email = models.EmailField(_("sent to"))

    class Meta:
        verbose_name = _("expiry notice")
        verbose_name_plural = _("expiry notices")
        ordering = ["-sent_on", "-id"]

    def __str__(self) -> str:
        return f"{self.sent_on} {self.email}"
