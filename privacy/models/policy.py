"""The policy numbers of personal-information handling (one row, changed in the admin)."""

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class PrivacyPolicy(models.Model):
    request_working_days = models.PositiveIntegerField(
        _("a person's request is answered within (working days)"),
        default=15,
        validators=[MinValueValidator(1)],
    )
    dormant_years = models.PositiveIntegerField(
        _("a person with no business and no contact for (years) is proposed for anonymisation"),
        default=5,
        validators=[MinValueValidator(1)],
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("personal-information policy")
        verbose_name_plural = _("personal-information policy")

    def __str__(self) -> str:
        return str(_("Personal-information policy"))

    @classmethod
    def current(cls) -> "PrivacyPolicy":
        policy, _created = cls.objects.get_or_create(pk=1)
        return policy
