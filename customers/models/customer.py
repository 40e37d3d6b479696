from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from customers.id_numbers import blind_index
from customers.masking import mask_id_number
from customers.models.choices import (
    AircraftSize,
    ChurnReason,
    CustomerKind,
    CustomerStatus,
    FareRule,
    Grade,
    HotelClass,
    OrganisationType,
    SeatPreference,
    Sex,
    SourceChannel,
    SupplierType,
)
from customers.models.fields import (
    BlindIndexField,
    EncryptedIdNumberField,
    MobileField,
    NormalisedEmailField,
    PhoneField,
    PostalCodeField,
)
from customers.validators import (
    validate_id_number,
    validate_mobile,
    validate_postal_code,
)


class CustomerQuerySet(models.QuerySet):
    def alive(self):
        return self.filter(deleted_at__isnull=True)

    def deleted(self):
        return self.filter(deleted_at__isnull=False)

    # The blind index travels with the ID number through every bulk write.
    def bulk_update(self, objs, fields, batch_size=None):
        fields = list(fields)
        if "id_number" in fields and "id_number_index" not in fields:
            fields.append("id_number_index")
        return super().bulk_update(objs, fields, batch_size=batch_size)

    def update(self, **kwargs):
        if isinstance(kwargs.get("id_number"), str) and "id_number_index" not in kwargs:
            kwargs["id_number_index"] = blind_index(kwargs["id_number"])
        return super().update(**kwargs)


class AliveCustomerManager(models.Manager.from_queryset(CustomerQuerySet)):
    """The default manager hides soft-deleted customers; `all_objects` shows them."""

    def get_queryset(self):
        return super().get_queryset().filter(deleted_at__isnull=True)


class Customer(models.Model):
    """One customer archive 客户档案: a traveller, corporate client, supplier or media."""

    kind = models.CharField(_("kind"), max_length=20, choices=CustomerKind.choices)
    name = models.CharField(_("name"), max_length=200)
    # Organisation names compared without width, case, spaces or punctuation (duplicates).
    name_normalised = models.CharField(max_length=200, editable=False, db_index=True)
    # The name's pinyin for search (customers.pinyin.name_search_keys, surnames read as
    # surnames): full ("linxiaoyu") and initials ("lxy"). Written with the name by
    # customer_prepare and by the bulk writers, never typed.
    name_pinyin = models.CharField(
        _("name in pinyin"), max_length=400, editable=False, blank=True, default=""
    )
    name_initials = models.CharField(
        _("pinyin initials"), max_length=200, editable=False, blank=True, default=""
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="customers",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=CustomerStatus.choices, default=CustomerStatus.ACTIVE
    )
    churn_reason = models.CharField(
        _("reason lost"), max_length=20, choices=ChurnReason.choices, blank=True
    )
    # When the customer was marked lost (customer_prepare sets it as the status becomes
    # Lost, clears it when they come back). Empty for a lost customer means the date is
    # not known: marked lost before it was recorded, with no change history to tell.
    lost_at = models.DateTimeField(_("marked lost"), null=True, blank=True, editable=False)
    is_key_account = models.BooleanField(_("key account"), default=False)
    # The grade in force. Written only by tiers' services (approved re-evaluations and
    # manager overrides, each with a tier-change record); other apps read it from here.
    grade = models.CharField(
        _("grade"), max_length=1, choices=Grade.choices, blank=True, editable=False
    )

    # Organisations
    organisation_type = models.CharField(
        _("organisation type"), max_length=20, choices=OrganisationType.choices, blank=True
    )
    supplier_type = models.CharField(
        _("supplier type"), max_length=20, choices=SupplierType.choices, blank=True
    )
    policy_first_class = models.CharField(_("who may fly first class"), max_length=200, blank=True)
    policy_fare_rule = models.CharField(
        _("fare rule"), max_length=10, choices=FareRule.choices, blank=True
    )
    founding_date = models.DateField(_("company founding date"), null=True, blank=True)

    # People
    # Encrypted at rest; looked up only through its blind index (customers/id_numbers.py).
    id_number = EncryptedIdNumberField(
        _("resident ID number"), blank=True, validators=[validate_id_number]
    )
    id_number_index = BlindIndexField(source="id_number")
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, blank=True)
    birthday = models.DateField(_("birthday"), null=True, blank=True)
    wedding_anniversary = models.DateField(_("wedding anniversary"), null=True, blank=True)
    occupation = models.CharField(_("occupation"), max_length=100, blank=True)

    # How to reach them
    mobile = MobileField(_("mobile"), max_length=11, blank=True, validators=[validate_mobile])
    phone = PhoneField(_("other phone"), max_length=30, blank=True)
    email = NormalisedEmailField(_("e-mail"), blank=True)
    province = models.CharField(_("province"), max_length=30, blank=True)
    city = models.CharField(_("city"), max_length=30, blank=True)
    district = models.CharField(_("district"), max_length=30, blank=True)
    street_address = models.CharField(_("street address"), max_length=200, blank=True)
    postal_code = PostalCodeField(
        _("postal code"), max_length=6, blank=True, validators=[validate_postal_code]
    )

    # Where they come from
    source_channel = models.CharField(
        _("source channel"), max_length=20, choices=SourceChannel.choices, blank=True
    )
    channel_partner = models.ForeignKey(
        "customers.ChannelPartner",
        verbose_name=_("channel partner"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="customers",
    )

    # What they like
    desired_destinations = models.ManyToManyField(
        "customers.Destination",
        verbose_name=_("desired destinations"),
        blank=True,
        related_name="interested_customers",
    )
    tags = models.ManyToManyField(
        "customers.Tag", verbose_name=_("tags"), blank=True, related_name="customers"
    )
    pref_airline = models.CharField(_("preferred airline"), max_length=50, blank=True)
    pref_aircraft_size = models.CharField(
        _("aircraft size"), max_length=10, choices=AircraftSize.choices, blank=True
    )
    pref_seat = models.CharField(
        _("seat"), max_length=10, choices=SeatPreference.choices, blank=True
    )
    pref_hotel_class = models.CharField(
        _("hotel class"), max_length=10, choices=HotelClass.choices, blank=True
    )
    pref_diet = models.CharField(_("diet"), max_length=100, blank=True)
    character_notes = models.TextField(_("character, interests, talents"), blank=True)

    # The day this customer's semi-dormancy period counts from (customers.dormancy): the
    # start of their latest business, or the day they were added when they never bought.
    # Stored so that the list's filter is an index range, not an anti-join over every
    # booking: refreshed for a customer by booking_save, for everyone set-based by the
    # daily job (customers_dormancy_refresh). Empty until first computed (not dormant).
    dormancy_counts_from = models.DateField(
        _("semi-dormancy counts from"), null=True, blank=True, editable=False
    )

    # When this customer was last contacted: the latest of their contact records, empty
    # when they have none (customers.services.last_contact, written with every contact
    # record). Stored so that "never contacted" is a partial index, not an anti-join over
    # every contact record. (The list's "last contact" column still reads the records.)
    last_contacted_at = models.DateTimeField(
        _("last contacted"), null=True, blank=True, editable=False
    )

    # Set once, by privacy's anonymisation (PIPL Art. 47): the person's data is gone and
    # the row stays only as the anonymous other end of what the law keeps (bookings,
    # archives). Every door that writes a customer refuses it; no job plans for it.
    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True, editable=False)

    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    deleted_at = models.DateTimeField(_("deleted"), null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("deleted by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    history = HistoricalRecords(
        excluded_fields=[
            "name_normalised",
            "name_pinyin",
            "name_initials",
            "dormancy_counts_from",
            "last_contacted_at",
            "id_number_index",
            "updated_at",
        ],
        m2m_fields=[desired_destinations, tags],
    )

    objects = AliveCustomerManager()
    all_objects = CustomerQuerySet.as_manager()

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["name", "id"]
        base_manager_name = "all_objects"
        permissions = [
            ("export_customers", _("Can export the customer list")),
            ("restore_customer", _("Can restore a deleted customer")),
        ]
        indexes = [
            models.Index(fields=["name", "id"]),  # the list's default order, at 1M rows
            # A rep's list in its default order: `owner_id = X OR id IN (<granted ids>)`
            # walks this index (and the primary key), not the million rows of (name, id).
            models.Index(fields=["owner", "name", "id"], name="customer_owner_name"),
            # An owner's live customers' ids without reading the table: joins such as My
            # day's early warnings hash them (an index-only scan of 20,000 ids, 3 ms) where
            # the owner index alone read each customer's row for `deleted_at` (100 ms).
            models.Index(
                fields=["owner", "id"],
                condition=Q(deleted_at__isnull=True),
                name="customer_live_owner_id",
            ),
            models.Index(fields=["owner", "status"]),
            # The list's filters on rare values, in the list's order: page 1 and the
            # capped count are an index range, not a walk of (name, id) discarding 99%
            # of a million rows (lost or retired 1% each, organisations 5%, key accounts 1%).
            models.Index(
                fields=["status", "name", "id"],
                condition=Q(deleted_at__isnull=True),
                name="customer_status_name",
            ),
            models.Index(
                fields=["kind", "name", "id"],
                condition=Q(deleted_at__isnull=True),
                name="customer_kind_name",
            ),
            # A channel can be rare in the list's first pages (at 1M, page 1 of
            # "referral" walked 50,000 names of other channels: 150 ms).
            models.Index(
                fields=["source_channel", "name", "id"],
                condition=Q(deleted_at__isnull=True),
                name="customer_source_name",
            ),
            models.Index(
                fields=["name", "id"],
                condition=Q(is_key_account=True, deleted_at__isnull=True),
                name="customer_key_account_name",
            ),
            models.Index(fields=["dormancy_counts_from"], name="customer_dormancy"),
            # "Never contacted", in the list's order (a handful of rows, not a million).
            models.Index(
                fields=["name", "id"],
                condition=Q(last_contacted_at__isnull=True, deleted_at__isnull=True),
                name="customer_never_contacted",
            ),
            models.Index(fields=["grade"], name="customer_grade"),
            models.Index(fields=["mobile"]),
            models.Index(fields=["created_at"]),
            # The churn report: lost customers by reason and date, without the others.
            models.Index(
                fields=["churn_reason", "lost_at"],
                condition=Q(status=CustomerStatus.LOST, deleted_at__isnull=True),
                name="customer_lost",
            ),
            # The recycle bin, small beside the rest: sums over bookings of every
            # customer leave its customers out without touching the other rows.
            models.Index(
                fields=["id"], condition=Q(deleted_at__isnull=False), name="customer_in_bin"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["id_number_index"],
                condition=~Q(id_number_index=""),
                name="customer_unique_id_number",
                violation_error_message=_("A customer with this ID number is already on file."),
            ),
            models.UniqueConstraint(
                fields=["mobile"],
                condition=~Q(mobile=""),
                name="customer_unique_mobile",
                violation_error_message=_("A customer with this mobile number is already on file."),
            ),
            models.UniqueConstraint(
                fields=["name_normalised"],
                condition=~Q(kind=CustomerKind.INDIVIDUAL),
                name="customer_unique_organisation_name",
                violation_error_message=_("An organisation with this name is already on file."),
            ),
            models.CheckConstraint(
                condition=Q(status=CustomerStatus.LOST) | Q(churn_reason=""),
                name="customer_churn_reason_only_when_lost",
                violation_error_message=_("Only a lost customer has a reason lost."),
            ),
            models.CheckConstraint(
                condition=~Q(status=CustomerStatus.LOST) | ~Q(churn_reason=""),
                name="customer_lost_needs_reason",
                violation_error_message=_("A lost customer needs the reason they left."),
            ),
            models.CheckConstraint(
                condition=Q(status=CustomerStatus.LOST) | Q(lost_at__isnull=True),
                name="customer_lost_at_only_when_lost",
                violation_error_message=_("Only a lost customer has a date marked lost."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("customers:detail", kwargs={"pk": self.pk})

    @property
    def is_organisation(self) -> bool:
        return self.kind != CustomerKind.INDIVIDUAL

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def is_anonymised(self) -> bool:
        return self.anonymised_at is not None

    @property
    def id_number_masked(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def postal_address(self) -> str:
        return "".join(
            part for part in (self.province, self.city, self.district, self.street_address) if part
        )

    @property
    def has_complete_postal_address(self) -> bool:
        return all((self.province, self.city, self.street_address, self.postal_code))
