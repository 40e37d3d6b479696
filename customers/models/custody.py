"""The custody regime 档案管理制度: policy numbers, alerts, special access, handovers."""

import datetime

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

TWO_FACTOR_SUPERUSER = "superuser"


def default_two_factor_roles() -> list[str]:
    """Managers and custodians hold the whole archive; superusers hold everything."""
    return ["manager", "custodian", TWO_FACTOR_SUPERUSER]


class CustodyPolicy(models.Model):
    """The policy numbers of the custody rules (one row). Managers change them in the
    admin; every change is kept in its history."""

    export_row_limit = models.PositiveIntegerField(
        _("customer rows one person may export per window"),
        default=200,
        validators=[MinValueValidator(1)],
    )
    deletion_limit = models.PositiveIntegerField(
        _("customers one person may delete per window"),
        default=5,
        validators=[MinValueValidator(1)],
    )
    window_hours = models.PositiveIntegerField(
        _("window (hours)"), default=24, validators=[MinValueValidator(1)]
    )
    special_access_days = models.PositiveIntegerField(
        _("special access lasts (days)"), default=7, validators=[MinValueValidator(1)]
    )
    # Role keys (accounts.roles) plus "superuser"; read by twofactor.policy at each sign-in.
    two_factor_roles = models.JSONField(
        _("two-factor sign-in required for"),
        default=default_two_factor_roles,
        blank=True,
        help_text=_(
            "People in these roles must set up two-factor sign-in before they can open any "
            "page. Applies from their next sign-in."
        ),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("custody policy")
        verbose_name_plural = _("custody policy")

    def __str__(self) -> str:
        return str(_("Custody policy"))

    @classmethod
    def current(cls) -> "CustodyPolicy":
        policy, _created = cls.objects.get_or_create(pk=1)
        return policy

    @property
    def window(self) -> datetime.timedelta:
        return datetime.timedelta(hours=self.window_hours)


class SecurityAlertKind(models.TextChoices):
    MASS_EXPORT = "mass_export", _("Mass export stopped")
    MASS_DELETE = "mass_delete", _("Mass deletion stopped")


class SecurityAlert(models.Model):
    """Raised when a person's exports or deletions pass the policy: the action was refused
    and managers must look at it."""

    kind = models.CharField(_("kind"), max_length=20, choices=SecurityAlertKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        on_delete=models.PROTECT,
        related_name="security_alerts",
    )
    created_at = models.DateTimeField(_("when"), default=timezone.now)
    attempted = models.PositiveIntegerField(_("attempted"))
    already_in_window = models.PositiveIntegerField(_("already in the window"))
    limit = models.PositiveIntegerField(_("limit"))
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("acknowledged by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)

    class Meta:
        verbose_name = _("security alert")
        verbose_name_plural = _("security alerts")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["acknowledged_at", "created_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.actor}"


class AccessRequestStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for a manager")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")


class AccessRequest(models.Model):
    """Special access 特殊调阅: read access to a customer outside one's scope, with a
    reason, approved by a manager for a limited time. It ends by itself."""

    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="access_requests",
    )
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="access_requests",
    )
    reason = models.TextField(_("reason"))
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=AccessRequestStatus.choices,
        default=AccessRequestStatus.PENDING,
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_note = models.CharField(_("note"), max_length=200, blank=True)
    expires_at = models.DateTimeField(_("access until"), null=True, blank=True)

    class Meta:
        verbose_name = _("special access request")
        verbose_name_plural = _("special access requests")
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["requester", "status", "expires_at"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=AccessRequestStatus.APPROVED) | Q(expires_at__isnull=False),
                name="access_request_approved_has_expiry",
            )
        ]

    def __str__(self) -> str:
        return f"{self.requester} → {self.customer}"

    def is_active(self, now: datetime.datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.status == AccessRequestStatus.APPROVED and self.expires_at > now


class StaffDeparture(models.Model):
    """A departing employee's handover 离职交接: access ended, customers handed over."""

    employee = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("employee"),
        on_delete=models.PROTECT,
        related_name="departure",
    )
    left_on = models.DateField(_("leaving date"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)
    sessions_ended = models.PositiveIntegerField(_("sessions ended"), default=0)

    class Meta:
        verbose_name = _("staff departure")
        verbose_name_plural = _("staff departures")
        ordering = ["-recorded_at"]

    def __str__(self) -> str:
        return f"{self.employee} ({self.left_on:%Y-%m-%d})"


class HandoverItem(models.Model):
    departure = models.ForeignKey(StaffDeparture, on_delete=models.PROTECT, related_name="items")
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="handovers",
    )
    to_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handed to"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("handed-over customer")
        verbose_name_plural = _("handed-over customers")
        constraints = [
            models.UniqueConstraint(fields=["departure", "customer"], name="handover_once")
        ]

    def __str__(self) -> str:
        return f"{self.customer} → {self.to_owner}"
