from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from archives.models.choices import DocumentKind
from customers.models import TripType

# The Travel Agency Regulations 旅行社条例: contracts and related documents are kept at
# least two years. Used when no policy row exists for a trip type.
LEGAL_MINIMUM_YEARS = 2
DEFAULT_RETENTION_YEARS = {TripType.DOMESTIC: 2, TripType.OUTBOUND: 3}
# Issue 10: an approved shortening never makes an archive destroyable sooner than this.
DEFAULT_SHORTENING_WAIT_DAYS = 30


class DocumentRequirement(models.Model):
    """Whether a kind of document must be in the archive before it can be archived.
    Custodians change it in the admin; archives already archived stay archived."""

    kind = models.CharField(_("document"), max_length=40, choices=DocumentKind.choices, unique=True)
    required = models.BooleanField(_("required"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("document requirement")
        verbose_name_plural = _("document requirements")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.get_kind_display()


class RetentionPolicy(models.Model):
    """How many years after the tour's end its archive is kept, per trip type. A change
    applies to archives opened afterwards; existing archives keep their stored end."""

    trip_type = models.CharField(
        _("trip type"), max_length=10, choices=TripType.choices, unique=True
    )
    years = models.PositiveSmallIntegerField(
        _("years after the tour ends"),
        validators=[
            MinValueValidator(
                LEGAL_MINIMUM_YEARS,
                message=_("The Travel Agency Regulations require at least %(limit_value)s years."),
            ),
            MaxValueValidator(30),
        ],
    )

    shortening_wait_days = models.PositiveSmallIntegerField(
        _("days an approved earlier keep-until date waits"),
        default=DEFAULT_SHORTENING_WAIT_DAYS,
        validators=[
            MinValueValidator(
                DEFAULT_SHORTENING_WAIT_DAYS,
                message=_("An approved shortening waits at least %(limit_value)s days."),
            ),
            MaxValueValidator(365),
        ],
        help_text=_(
            "When a manager approves moving an archive's keep-until date earlier, the archive "
            "stays at least this many days after the approval."
        ),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("retention policy")
        verbose_name_plural = _("retention policies")
        ordering = ["trip_type"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(years__gte=LEGAL_MINIMUM_YEARS),
                name="retentionpolicy_legal_minimum",
                violation_error_message=_(
                    "The Travel Agency Regulations require at least two years."
                ),
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_trip_type_display()}: {self.years}"
