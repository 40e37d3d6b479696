from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Team(models.Model):
    """A sales team (e.g. East China). A team lead sees the customers of its members."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    lead = models.ForeignKey(
        "accounts.User",
        verbose_name=_("team lead"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="led_teams",
    )

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A member of staff. Roles are groups (see accounts.roles)."""

    full_name = models.CharField(_("full name"), max_length=100, blank=True)
    team = models.ForeignKey(
        Team,
        verbose_name=_("team"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="members",
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    # Set by a manager (customers.services.sign_in.password_change_require, audited);
    # cleared when the person chooses a new password.
    must_change_password = models.BooleanField(
        _("must change password at next sign-in"), default=False
    )
    # An integration's identity (api.ServiceAccount): API tokens only, never a browser
    # sign-in (accounts.backends), no password, no role. Its `team` is its owner scope:
    # that team's customers, or every customer when empty (customers.selectors._scope).
    is_service_account = models.BooleanField(_("service account"), default=False)

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")
        ordering = ["username"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.full_name or self.get_full_name() or self.username


class ConfidentialityAgreement(models.Model):
    """A signed confidentiality agreement 保密协议, with the non-compete period that binds
    after the employee leaves."""

    user = models.ForeignKey(
        User,
        verbose_name=_("staff member"),
        on_delete=models.PROTECT,
        related_name="confidentiality_agreements",
    )
    title = models.CharField(_("agreement"), max_length=200, default="保密协议")
    signed_on = models.DateField(_("signed on"))
    non_compete_until = models.DateField(_("non-compete binds until"), null=True, blank=True)
    notes = models.CharField(_("notes"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("confidentiality agreement")
        verbose_name_plural = _("confidentiality agreements")
        ordering = ["-signed_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(non_compete_until__isnull=True)
                | models.Q(non_compete_until__gte=models.F("signed_on")),
                name="agreement_non_compete_after_signing",
                violation_error_message=_("The non-compete period cannot end before signing."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} · {self.user} · {self.signed_on:%Y-%m-%d}"
