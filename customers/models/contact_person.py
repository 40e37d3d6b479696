from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from customers.models.fields import MobileField, NormalisedEmailField
from customers.validators import validate_mobile


class ContactPerson(models.Model):
    """A contact person at an organisation. A change of contact ends one and starts another,
    so the archive always tells who was the contact when."""

    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="contact_people",
    )
    name = models.CharField(_("name"), max_length=100)
    title = models.CharField(_("position"), max_length=100, blank=True)
    mobile = MobileField(_("mobile"), max_length=11, blank=True, validators=[validate_mobile])
    email = NormalisedEmailField(_("e-mail"), blank=True)
    is_primary = models.BooleanField(_("main contact"), default=False)
    started_on = models.DateField(_("contact since"))
    ended_on = models.DateField(_("contact until"), null=True, blank=True)
    end_reason = models.CharField(_("why the contact changed"), max_length=200, blank=True)
    replaced_by = models.OneToOneField(
        "self",
        verbose_name=_("replaced by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="replaces",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("contact person")
        verbose_name_plural = _("contact people")
        ordering = ["ended_on", "-is_primary", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="contact_person_end_after_start",
                violation_error_message=_("A contact's time cannot end before it started."),
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_current(self) -> bool:
        return self.ended_on is None
