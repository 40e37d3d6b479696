"""Consent to the processing of a person's information (PIPL Art. 13-17, 29, 39).

One row per purpose a person agreed to: when, how, recorded by whom, under which version
of the consent text. Withdrawing stamps the row (never deletes it), so the record shows
what was agreed and until when; giving consent again makes a new row."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class Purpose(models.TextChoices):
    SERVICE = "service", _("Service of the trip")
    MARKETING_PHONE = "marketing_phone", _("Marketing calls and visits")
    MARKETING_WECHAT = "marketing_wechat", _("Marketing by WeChat")
    MARKETING_SMS = "marketing_sms", _("Marketing by text message")
    MARKETING_EMAIL = "marketing_email", _("Marketing by e-mail")
    MARKETING_POST = "marketing_post", _("Marketing by post (cards, catalogues)")
    MARKETING_EVENTS = "marketing_events", _("Invitations to customer events")
    SUPPLIERS = "suppliers", _("Providing data to suppliers for the trip")
    CROSS_BORDER = "cross_border", _("Cross-border provision for outbound tours")
    SENSITIVE_ID = "sensitive_id", _("Sensitive information: the ID number")


MARKETING_PURPOSES = frozenset(
    {
        Purpose.MARKETING_PHONE,
        Purpose.MARKETING_WECHAT,
        Purpose.MARKETING_SMS,
        Purpose.MARKETING_EMAIL,
        Purpose.MARKETING_POST,
        Purpose.MARKETING_EVENTS,
    }
)


class ConsentMethod(models.TextChoices):
    PAPER = "paper", _("Signature on paper")
    ONLINE = "online", _("Online")
    PHONE = "phone", _("Recorded by phone")


class ConsentText(models.Model):
    """A version of the text a person reads before consenting (kept as it was shown)."""

    version = models.CharField(_("version"), max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    published_on = models.DateField(_("published on"))

    class Meta:
        verbose_name = _("consent text")
        verbose_name_plural = _("consent texts")
        ordering = ["-published_on", "-id"]

    def __str__(self) -> str:
        return f"{self.version} · {self.title}"


class Consent(models.Model):
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="consents",
    )
    purpose = models.CharField(_("purpose"), max_length=30, choices=Purpose.choices)
    given_at = models.DateTimeField(_("given"))
    method = models.CharField(_("how given"), max_length=10, choices=ConsentMethod.choices)
    text = models.ForeignKey(
        ConsentText, verbose_name=_("text consented to"), on_delete=models.PROTECT
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    withdrawal_method = models.CharField(
        _("how withdrawn"), max_length=10, choices=ConsentMethod.choices, blank=True
    )
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("withdrawal recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["customer", "purpose", "-given_at"]
        indexes = [
            # The planning's EXISTS per customer and purpose, over consents in force.
            models.Index(
                fields=["customer", "purpose"],
                condition=Q(withdrawn_at__isnull=True),
                name="consent_in_force",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "purpose"],
                condition=Q(withdrawn_at__isnull=True),
                name="consent_one_in_force_per_purpose",
                violation_error_message=_("This consent is already on record."),
            ),
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True) | Q(withdrawn_at__gte=F("given_at")),
                name="consent_withdrawn_after_given",
                violation_error_message=_("Consent cannot be withdrawn before it was given."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer} · {self.get_purpose_display()}"

    @property
    def in_force(self) -> bool:
        return self.withdrawn_at is None
