"""Who the API lets in: personal tokens of staff, and service accounts for integrations.

A token is shown once, when it is made: `crm_<prefix>_<secret>`. Only its SHA-256 is
stored (the secret has 256 bits of entropy, so a fast hash is enough: there is nothing to
guess), with the prefix in clear so people can tell their tokens apart in lists and logs.
"""

import hashlib

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

TOKEN_PREFIX = "crm_"  # noqa: S105 (not a secret: every token starts so)


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class TokenKind(models.TextChoices):
    PERSONAL = "personal", _("Personal token")
    SERVICE = "service", _("Service account token")


class ServiceAccount(models.Model):
    """An integration (the booking system, the website) with the scopes a manager gave
    it. Its identity is an accounts.User flagged `is_service_account`: no password, no
    role, refused at every browser sign-in; its `team` is the owner scope (one team's
    customers, or all when empty), honoured by customers.selectors' one scoping rule."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("identity"),
        on_delete=models.PROTECT,
        related_name="service_account",
    )
    description = models.CharField(_("what it is for"), max_length=200, blank=True)
    scopes = models.JSONField(_("scopes"), default=list)
    daily_row_limit = models.PositiveIntegerField(
        _("customer rows it may read per day"),
        default=1000,
        validators=[MinValueValidator(1)],
        help_text=_(
            "Customer rows delivered through the API count against this limit in any "
            "24 hours, like a person's exports against the custody policy."
        ),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("service account")
        verbose_name_plural = _("service accounts")
        ordering = ["user__full_name", "pk"]

    def __str__(self) -> str:
        return self.user.display_name


class ApiTokenQuerySet(models.QuerySet):
    def usable(self, *, now=None):
        now = now or timezone.now()
        return self.filter(revoked_at__isnull=True, expires_at__gt=now)


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("belongs to"),
        on_delete=models.PROTECT,
        related_name="api_tokens",
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=20, unique=True)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    scopes = models.JSONField(_("scopes"), default=list)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    expires_at = models.DateTimeField(_("expires"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # Written at most once a minute per token (api.authentication), not on every request.
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    last_used_ip = models.GenericIPAddressField(_("last used from"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "revoked_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("created_at")),
                name="api_token_expires_after_creation",
                violation_error_message=_("A token must expire after it is made."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def kind(self) -> str:
        return TokenKind.SERVICE if self.user.is_service_account else TokenKind.PERSONAL

    def get_kind_display(self) -> str:
        return str(TokenKind(self.kind).label)

    def is_usable(self, *, now=None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and self.expires_at > now and self.user.is_active

    @property
    def status(self) -> str:
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "active"

    @property
    def status_label(self) -> str:
        return str(TOKEN_STATUS_LABELS[self.status])


TOKEN_STATUS_LABELS = {
    "active": pgettext_lazy("token status", "Active"),
    "expired": pgettext_lazy("token status", "Expired"),
    "revoked": pgettext_lazy("token status", "Revoked"),
}
