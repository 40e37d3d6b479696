from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from customers.models import TripType


class TourGroup(models.Model):
    """A tour group 团队, known by its group number 团号: the travellers it carried are the
    bookings linked to it."""

    group_number = models.CharField(_("group number"), max_length=50, unique=True)
    product = models.CharField(_("product / tour"), max_length=200)
    trip_type = models.CharField(_("trip type"), max_length=10, choices=TripType.choices)
    start_date = models.DateField(_("tour start"))
    end_date = models.DateField(_("tour end"))
    head_count = models.PositiveIntegerField(_("head count"))
    ground_agency = models.CharField(_("ground agency"), max_length=200, blank=True)
    guide = models.CharField(_("guide / tour leader"), max_length=200, blank=True)
    bookings = models.ManyToManyField(
        "customers.Booking",
        verbose_name=_("bookings"),
        through="archives.TourGroupBooking",
        related_name="tour_groups",
        blank=True,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("tour group")
        verbose_name_plural = _("tour groups")
        ordering = ["-start_date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")),
                name="tourgroup_end_after_start",
                violation_error_message=_("The tour cannot end before it starts."),
            ),
            models.CheckConstraint(
                condition=Q(head_count__gte=1),
                name="tourgroup_head_count_1",
                violation_error_message=_("A tour group has at least one traveller."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.group_number} {self.product}"

    def clean(self):
        # Beside the end date, where the form shows it.
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The tour cannot end before it starts.")})


class TourGroupBooking(models.Model):
    """A booking carried by a tour group. A booking travels with one group only."""

    tour = models.ForeignKey(
        TourGroup, verbose_name=_("tour group"), on_delete=models.CASCADE, related_name="+"
    )
    booking = models.ForeignKey(
        "customers.Booking",
        verbose_name=_("booking"),
        on_delete=models.PROTECT,
        related_name="tour_group_links",
    )

    class Meta:
        verbose_name = _("traveller booking")
        verbose_name_plural = _("traveller bookings")
        constraints = [
            models.UniqueConstraint(
                fields=["booking"],
                name="tourgroupbooking_one_group_per_booking",
                violation_error_message=_("This booking already travels with another group."),
            )
        ]
        indexes = [models.Index(fields=["tour", "booking"])]

    def __str__(self) -> str:
        return f"{self.tour_id} ← {self.booking_id}"
