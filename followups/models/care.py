"""Key-account records, customer events and catalogue mailings."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from followups.models.choices import InvitationReply


class KeyAccountRecord(models.Model):
    """The key-account communication record 大客户沟通记录表, filled after a visit."""

    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="key_account_records",
    )
    followup = models.OneToOneField(
        "followups.Followup",
        verbose_name=_("visit"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="key_account_record",
    )
    visit_date = models.DateField(_("date"))
    agency_attendees = models.CharField(_("attendees (agency)"), max_length=300)
    customer_attendees = models.CharField(_("attendees (customer)"), max_length=300)
    topics = models.TextField(_("topics discussed"))
    opinions = models.TextField(_("the customer's opinions"), blank=True)
    issues = models.TextField(_("issues raised"), blank=True)
    commitments = models.TextField(_("our commitments"), blank=True)
    next_visit_on = models.DateField(_("next visit"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("key-account communication record")
        verbose_name_plural = _("key-account communication records")
        ordering = ["-visit_date", "-id"]
        indexes = [models.Index(fields=["customer", "visit_date"], name="karecord_customer_date")]

    def __str__(self) -> str:
        return f"{self.customer} {self.visit_date:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("followups:key_record", kwargs={"pk": self.pk})


class CustomerEvent(models.Model):
    """A customer event 客户联谊会: a VIP reception or appreciation evening."""

    name = models.CharField(_("name"), max_length=200)
    starts_at = models.DateTimeField(_("starts"))
    venue = models.CharField(_("venue"), max_length=200)
    description = models.TextField(_("programme"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("customer event")
        verbose_name_plural = _("customer events")
        ordering = ["-starts_at"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("followups:event_detail", kwargs={"pk": self.pk})


class EventInvitation(models.Model):
    event = models.ForeignKey(
        CustomerEvent,
        verbose_name=_("event"),
        on_delete=models.CASCADE,
        related_name="invitations",
    )
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="event_invitations",
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    invited_at = models.DateTimeField(_("invited"))
    reply = models.CharField(
        _("reply"), max_length=10, choices=InvitationReply.choices, default=InvitationReply.PENDING
    )
    replied_at = models.DateTimeField(_("replied"), null=True, blank=True)
    attended = models.BooleanField(_("attended"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["customer__name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "customer"], name="invitation_once_per_customer"
            )
        ]

    def __str__(self) -> str:
        return f"{self.event} · {self.customer_id}"


class CatalogueMailing(models.Model):
    """A new-product catalogue mailing 新产品目录: who gets the printed catalogue."""

    title = models.CharField(_("catalogue"), max_length=200)
    product = models.CharField(_("new product"), max_length=200, blank=True)
    destinations = models.ManyToManyField(
        "customers.Destination",
        verbose_name=_("destinations"),
        blank=True,
        related_name="+",
        help_text=_("Customers who wish to go to any of these get the catalogue."),
    )
    grades = models.CharField(
        _("grades"), max_length=10, blank=True, help_text=_("Empty: every grade.")
    )
    key_accounts_only = models.BooleanField(_("key accounts only"), default=False)
    team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("team"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    mailed_on = models.DateField(_("mailed on"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    skipped_by_cap = models.PositiveIntegerField(_("left out by the mailing cap"), default=0)

    class Meta:
        verbose_name = _("catalogue mailing")
        verbose_name_plural = _("catalogue mailings")
        ordering = ["-mailed_on", "-id"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("followups:mailing_detail", kwargs={"pk": self.pk})


class MailingRecipient(models.Model):
    """One address on a mailing list, copied when the list was made: the label shows
    where the catalogue actually went."""

    mailing = models.ForeignKey(
        CatalogueMailing, on_delete=models.CASCADE, related_name="recipients"
    )
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="catalogue_mailings",
    )
    mailed_on = models.DateField(_("mailed on"))
    name = models.CharField(_("name"), max_length=200)
    province = models.CharField(_("province"), max_length=30)
    city = models.CharField(_("city"), max_length=30)
    district = models.CharField(_("district"), max_length=30, blank=True)
    street_address = models.CharField(_("street address"), max_length=200)
    postal_code = models.CharField(_("postal code"), max_length=6)
    mobile = models.CharField(_("mobile"), max_length=11, blank=True)

    class Meta:
        verbose_name = _("mailing recipient")
        verbose_name_plural = _("mailing recipients")
        ordering = ["postal_code", "id"]
        indexes = [models.Index(fields=["customer", "mailed_on"], name="recipient_customer_date")]
        constraints = [
            models.UniqueConstraint(fields=["mailing", "customer"], name="recipient_once")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def address(self) -> str:
        return "".join((self.province, self.city, self.district, self.street_address))
