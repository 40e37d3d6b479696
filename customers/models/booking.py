from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from customers.models.choices import BookingStatus, TripType
from customers.models.fields import BookingNumberField, BookingSourceField
from customers.validators import validate_booking_source

MONEY = {"max_digits": 12, "decimal_places": 2, "validators": [MinValueValidator(Decimal("0"))]}


class Booking(models.Model):
    """A purchase record 消费记录: one tour or product bought by a customer."""

    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="bookings",
    )
    product = models.CharField(_("product / tour"), max_length=200)
    destination = models.ForeignKey(
        "customers.Destination",
        verbose_name=_("destination"),
        on_delete=models.PROTECT,
        related_name="bookings",
    )
    trip_type = models.CharField(_("trip type"), max_length=10, choices=TripType.choices)
    start_date = models.DateField(_("trip start"))
    end_date = models.DateField(_("trip end"))
    head_count = models.PositiveIntegerField(_("head count"), default=1)
    amount = models.DecimalField(_("amount (¥)"), **MONEY)
    cost = models.DecimalField(_("cost (¥)"), **MONEY)
    gross_profit = models.GeneratedField(
        verbose_name=_("gross profit (¥)"),
        expression=F("amount") - F("cost"),
        output_field=models.DecimalField(max_digits=13, decimal_places=2),
        db_persist=True,
    )
    payment_due_date = models.DateField(_("payment due"), null=True, blank=True)
    paid_date = models.DateField(_("paid on"), null=True, blank=True)
    # Money given back: part of a paid booking, or all of it when the status is Refunded.
    # Spend, points and rewards count amount - refunded_amount.
    refunded_amount = models.DecimalField(_("refunded (¥)"), default=Decimal("0"), **MONEY)
    status = models.CharField(
        _("status"), max_length=10, choices=BookingStatus.choices, default=BookingStatus.BOOKED
    )
    # Where the booking was made, when not typed here: the system's name and its own
    # booking number, unique together. Imports and the API find the booking again by them,
    # so sending the same booking twice changes nothing.
    source = BookingSourceField(
        _("source system"),
        max_length=40,
        blank=True,
        validators=[validate_booking_source],
        help_text=_("The system the booking came from, e.g. website or booking-system."),
    )
    source_number = BookingNumberField(_("booking number at source"), max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords(excluded_fields=["gross_profit"])

    class Meta:
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        ordering = ["-start_date", "-id"]
        indexes = [
            # Covers per-customer spend/recency aggregates without touching the table.
            models.Index(
                fields=["customer", "status", "end_date", "amount", "refunded_amount"],
                name="booking_customer_cover_net",
            ),
            # A customer's bookings by date (timeline, dormancy) whatever the statistics say.
            models.Index(fields=["customer", "start_date"], name="booking_customer_start"),
            models.Index(fields=["start_date"]),
            # A month's payments (home pages, finance): paid and refunded bookings by day.
            models.Index(
                fields=["paid_date"],
                condition=Q(status__in=["paid", "refunded"]),
                name="booking_paid_on",
            ),
            # Receivables: bookings not yet paid, by due date (overdue first; the id
            # too, so the longest overdue 20 are the first 20 entries even when
            # thousands fall due on one day), carrying the customer and amount so the
            # sums read the index alone (PostgreSQL).
            models.Index(
                fields=["payment_due_date", "id"],
                include=["customer", "amount"],
                condition=Q(status="booked"),
                name="booking_unpaid_due_id",
            ),
            # The customers owing the most: unpaid bookings grouped by customer in index
            # order (a streaming GROUP BY, no hash of every debtor spilling to disk).
            models.Index(
                fields=["customer", "payment_due_date"],
                include=["amount"],
                condition=Q(status="booked"),
                name="booking_unpaid_customer",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "source_number"],
                condition=~Q(source_number=""),
                name="booking_unique_source_number",
                violation_error_message=_(
                    "A booking with this number from this source is already on file."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(source_number="") | Q(source=""),
                name="booking_source_has_number",
                violation_error_message=_("A booking from a source system needs its number."),
            ),
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")),
                name="booking_end_after_start",
                violation_error_message=_("The trip cannot end before it starts."),
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=0) & Q(cost__gte=0),
                name="booking_money_not_negative",
                violation_error_message=_("Amounts cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(refunded_amount__gte=0) & Q(refunded_amount__lte=F("amount")),
                name="booking_refund_within_amount",
                violation_error_message=_("The refund cannot exceed the amount paid."),
            ),
            models.CheckConstraint(
                condition=Q(head_count__gte=1),
                name="booking_head_count_1",
                violation_error_message=_("A booking has at least one traveller."),
            ),
            models.CheckConstraint(
                condition=~Q(status=BookingStatus.PAID) | Q(paid_date__isnull=False),
                name="booking_paid_has_date",
                violation_error_message=_("A paid booking needs the date it was paid."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product} ({self.start_date:%Y-%m-%d})"

    def clean(self):
        # Field-level messages, so the form shows them beside the right input.
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The trip cannot end before it starts.")})
        if self.status == BookingStatus.PAID and not self.paid_date:
            raise ValidationError({"paid_date": _("A paid booking needs the date it was paid.")})
        if self.status == BookingStatus.REFUNDED and not self.refunded_amount:
            self.refunded_amount = self.amount  # Refunded with no figure: all of it
        if self.amount is not None and (self.refunded_amount or 0) > self.amount:
            raise ValidationError(
                {"refunded_amount": _("The refund cannot exceed the amount paid.")}
            )

    @property
    def net_amount(self) -> Decimal:
        """What the customer finally paid: the amount less any refund."""
        return self.amount - (self.refunded_amount or 0)
