"""Writes to the customer archive. Every function takes the acting user, validates, and
records who made the change (simple-history keeps the before/after)."""

import datetime
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.roles import CUSTODIAN, has_role
from customers.audit import audit_record
from customers.models import (
    AuditAction,
    Booking,
    BookingStatus,
    ContactPerson,
    ContactRecord,
    Customer,
    CustomerStatus,
    ServiceRecord,
    ServiceStatus,
)
from customers.pinyin import name_search_keys
from customers.selectors import customer_can_edit, customer_find_duplicates
from customers.services.custody import deletions_over_limit, mass_deletion_refused
from customers.services.dormancy import customers_dormancy_refresh
from customers.services.last_contact import customers_last_contact_refresh
from customers.signals import (
    announce_contacts_logged,
    announce_customers_reassigned,
    booking_paid,
    booking_saved,
    customer_saved,
)
from customers.validators import (
    normalize_email,
    normalize_id_number,
    normalize_mobile,
    normalize_org_name,
    normalize_phone,
    normalize_postal_code,
    parse_id_number,
)

# Lazy, so that makemessages finds them and each reader gets their own language (the
# import report renders them once per language).
DUPLICATE_MESSAGES = {
    "id_number": gettext_lazy(
        "A customer with this ID number is already on file, owned by %(owner)s."
    ),
    "mobile": gettext_lazy(
        "A customer with this mobile number is already on file, owned by %(owner)s."
    ),
    "name": gettext_lazy("An organisation with this name is already on file, owned by %(owner)s."),
}
DUPLICATE_DELETED_MESSAGE = gettext_lazy(
    "A deleted customer with the same %(field)s is in the recycle bin; "
    "ask an archive custodian to restore it."
)


def _duplicate_errors(customer: Customer) -> dict[str, list[str]]:
    """Name the owning rep only: the other archive stays out of sight."""
    errors: dict[str, list[str]] = {}
    for duplicate in customer_find_duplicates(
        id_number=customer.id_number,
        mobile=customer.mobile,
        name=customer.name,
        kind=customer.kind,
        exclude_pk=customer.pk,
    ):
        if duplicate.customer.is_deleted:
            field_label = Customer._meta.get_field(
                "name" if duplicate.field == "name" else duplicate.field
            ).verbose_name
            message = DUPLICATE_DELETED_MESSAGE % {"field": field_label}
        else:
            message = DUPLICATE_MESSAGES[duplicate.field] % {
                "owner": duplicate.customer.owner.display_name
            }
        errors.setdefault(duplicate.field, []).append(message)
    return errors


def customer_set_search_keys(*, customer: Customer) -> None:
    """The name's pinyin (full and initials) for search, from customers.pinyin: called
    wherever a name is set, one row (customer_prepare) or many (bulk writers)."""
    customer.name_pinyin, customer.name_initials = name_search_keys(
        customer.name, kind=customer.kind
    )


def customer_prepare(*, customer: Customer, check_duplicates: bool = True) -> None:
    """Normalise identity fields, fill birthday and sex from the ID number, and refuse
    duplicates. Raises ValidationError keyed by field. The importer passes
    `check_duplicates=False` and checks a whole chunk of rows against the archive in one
    query, with the same messages (DUPLICATE_MESSAGES)."""
    customer.id_number = normalize_id_number(customer.id_number)
    customer.mobile = normalize_mobile(customer.mobile)
    customer.phone = normalize_phone(customer.phone)
    customer.email = normalize_email(customer.email)
    customer.postal_code = normalize_postal_code(customer.postal_code)
    customer.name = customer.name.strip()
    customer.name_normalised = normalize_org_name(customer.name)
    customer_set_search_keys(customer=customer)
    if customer.pk is None and customer.dormancy_counts_from is None:
        customer.dormancy_counts_from = timezone.localdate()  # added today
    errors: dict[str, list[str]] = {}
    if customer.id_number:
        try:
            facts = parse_id_number(customer.id_number)
        except ValidationError as exc:
            errors["id_number"] = exc.messages
        else:
            if customer.birthday is None:
                customer.birthday = facts.birthday
            elif customer.birthday != facts.birthday:
                errors["birthday"] = [_("The birthday does not match the ID number.")]
            customer.sex = facts.sex
    if customer.status == CustomerStatus.LOST and not customer.churn_reason:
        errors["churn_reason"] = [_("A lost customer needs the reason they left.")]
    if customer.status != CustomerStatus.LOST:
        customer.churn_reason = ""
        customer.lost_at = None  # reactivated: no longer lost
    elif customer.lost_at is None and not (
        customer.pk and Customer.all_objects.filter(pk=customer.pk, status=customer.status).exists()
    ):
        # Marked lost now. (Lost already with no date: the date stays unknown.)
        customer.lost_at = timezone.now()
    if check_duplicates:
        for field, messages in _duplicate_errors(customer).items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)


# The name's pinyin is in: the importer's bulk update writes the columns named here,
# and the pinyin must change with the name. The dormancy date is the job's, the last
# contact the contact records' (customers.services.last_contact).
AUDITED_FIELDS = [
    f.name
    for f in Customer._meta.concrete_fields
    if f.name
    not in {
        "name_normalised",
        "dormancy_counts_from",
        "last_contacted_at",
        "created_at",
        "updated_at",
    }
]


def _changed_fields(customer: Customer) -> list[str]:
    before = Customer.all_objects.filter(pk=customer.pk).values(*AUDITED_FIELDS).first() or {}
    return [
        name
        for name in AUDITED_FIELDS
        if before.get(name) != getattr(customer, Customer._meta.get_field(name).attname)
    ]


ANONYMISED_MESSAGE = gettext_lazy(
    "This customer was anonymised at the person's request or after years without contact: "
    "their details are gone for good and cannot be filled in again. Add a new customer if "
    "the person comes back."
)


def customer_refuse_if_anonymised(*, customer: Customer, as_loaded: bool = False) -> None:
    """The one check every door that writes a customer passes (form, admin, API, import):
    an anonymised archive is never refilled from old data. A new record about the person
    (booking, contact, feedback) passes it with the customer as loaded (`as_loaded`: no
    query; the archive being edited is read again, as its instance may be old)."""
    if customer.pk is not None and (
        customer.anonymised_at is not None
        or (
            not as_loaded
            and Customer.all_objects.filter(pk=customer.pk, anonymised_at__isnull=False).exists()
        )
    ):
        raise ValidationError(ANONYMISED_MESSAGE, code="anonymised")


def _save_customer(*, actor, customer: Customer, destinations, tags) -> Customer:
    customer_refuse_if_anonymised(customer=customer)
    customer_prepare(customer=customer)
    customer.full_clean(exclude=["owner"] if customer.owner_id else None)
    customer._history_user = actor
    creating = customer.pk is None
    changed = [] if creating else _changed_fields(customer)
    try:
        with transaction.atomic():
            customer.save()
            if destinations is not None:
                customer.desired_destinations.set(destinations)
            if tags is not None:
                customer.tags.set(tags)
            audit_record(
                actor=actor,
                action=AuditAction.CREATE if creating else AuditAction.CHANGE,
                obj=customer,
                detail={} if creating else {"fields": changed},
            )
            if "owner" in changed:
                announce_customers_reassigned(customer_ids=[customer.pk], actor=actor)
            customer_saved.send(
                sender=Customer,
                customer=customer,
                created=creating,
                changed_fields=changed,
                actor=actor,
            )
    except IntegrityError:
        # Another rep saved the same customer a moment ago: report it as a duplicate.
        customer_prepare(customer=customer)
        raise
    return customer


def customer_create(
    *,
    actor,
    customer: Customer,
    destinations: Iterable | None = None,
    tags: Iterable | None = None,
) -> Customer:
    """Save a new customer built from a form (or code). The owner defaults to the actor."""
    if customer.pk is not None:
        raise ValueError("customer_create takes an unsaved customer")
    if not customer.owner_id:
        customer.owner = actor
    return _save_customer(actor=actor, customer=customer, destinations=destinations, tags=tags)


def customer_update(
    *,
    actor,
    customer: Customer,
    destinations: Iterable | None = None,
    tags: Iterable | None = None,
) -> Customer:
    if not customer_can_edit(user=actor, customer=customer):
        raise PermissionDenied
    return _save_customer(actor=actor, customer=customer, destinations=destinations, tags=tags)


def customers_soft_delete(
    *, actor, customers: Iterable[Customer], now: datetime.datetime | None = None
) -> int:
    """Staff never really delete a customer: it moves to the recycle bin, restorable by a
    custodian, with who and when on record. More deletions than the custody policy allows
    in its window are refused as a whole, and managers are alerted."""
    now = now or timezone.now()
    targets = [customer for customer in customers if not customer.is_deleted]
    for customer in targets:
        if not (customer_can_edit(user=actor, customer=customer) or has_role(actor, CUSTODIAN)):
            raise PermissionDenied
    if not targets:
        return 0
    with transaction.atomic():
        already = deletions_over_limit(actor=actor, count=len(targets), now=now)
        if already is None:
            for customer in targets:
                customer.deleted_at = now
                customer.deleted_by = actor
                customer._history_user = actor
                customer.save(update_fields=["deleted_at", "deleted_by", "updated_at"])
                audit_record(actor=actor, action=AuditAction.DELETE, obj=customer)
    if already is not None:
        raise mass_deletion_refused(actor=actor, count=len(targets), already=already, now=now)
    return len(targets)


def customer_soft_delete(*, actor, customer: Customer, now: datetime.datetime | None = None):
    customers_soft_delete(actor=actor, customers=[customer], now=now)
    return customer


def customer_restore(*, actor, customer: Customer) -> Customer:
    if not actor.has_perm("customers.restore_customer"):
        raise PermissionDenied
    if not customer.is_deleted:
        return customer
    customer.deleted_at = None
    customer.deleted_by = None
    customer._history_user = actor
    with transaction.atomic():
        customer.save(update_fields=["deleted_at", "deleted_by", "updated_at"])
        audit_record(actor=actor, action=AuditAction.RESTORE, obj=customer)
    return customer


def contact_record_create(
    *,
    actor,
    customer: Customer,
    channel: str,
    outcome: str,
    contacted_at: datetime.datetime | None = None,
    notes: str = "",
    next_step: str = "",
    next_contact_on: datetime.date | None = None,
) -> ContactRecord:
    customer_refuse_if_anonymised(customer=customer, as_loaded=True)
    record = ContactRecord(
        customer=customer,
        by=actor,
        channel=channel,
        outcome=outcome,
        contacted_at=contacted_at or timezone.now(),
        notes=notes,
        next_step=next_step,
        next_contact_on=next_contact_on,
    )
    record.full_clean()  # with the rules other apps add (customers.contact_rules)
    with transaction.atomic():
        record.save()
        customers_last_contact_refresh(customer_ids=[customer.pk])
        audit_record(actor=actor, action=AuditAction.CREATE, obj=record)
        announce_contacts_logged(customer_ids=[customer.pk], record_ids=[record.pk], actor=actor)
    return record


def service_record_create(
    *, actor, record: ServiceRecord, now: datetime.datetime | None = None
) -> ServiceRecord:
    """Record feedback as received. A response or a closing status given at once is dated
    now. The respond-by deadline is left to the app that owns the policy (followups sets
    it, and its daily job fills it in for records saved without one)."""
    customer_refuse_if_anonymised(customer=record.customer, as_loaded=True)
    now = now or timezone.now()
    record.recorded_by = actor
    if record.occurred_at is None:
        record.occurred_at = now
    if record.response and record.responded_at is None:
        record.responded_at = now
    if record.status == ServiceStatus.RESOLVED and record.closed_at is None:
        record.closed_at = now
    if record.booking_id and record.booking.customer_id != record.customer_id:
        raise ValidationError({"booking": _("The booking belongs to another customer.")})
    record.full_clean()
    with transaction.atomic():
        record.save()
        audit_record(actor=actor, action=AuditAction.CREATE, obj=record)
    return record


def booking_save(*, actor, booking: Booking, exclude: Iterable[str] = ()) -> Booking:
    creating = booking.pk is None
    if creating:
        # Finance may still settle a kept booking; a new one would refill the archive.
        customer_refuse_if_anonymised(customer=booking.customer, as_loaded=True)
        booking.created_by = actor
    booking.full_clean(exclude=list(exclude) or None)
    booking._history_user = actor
    becomes_paid = booking.status == BookingStatus.PAID and (
        creating or not Booking.objects.filter(pk=booking.pk, status=BookingStatus.PAID).exists()
    )
    with transaction.atomic():
        booking.save()
        # The list's semi-dormant filter reads the stored date: this customer's, now.
        customers_dormancy_refresh(customer_ids=[booking.customer_id])
        if becomes_paid:
            booking_paid.send(sender=Booking, booking=booking, actor=actor)
        audit_record(
            actor=actor,
            action=AuditAction.CREATE if creating else AuditAction.CHANGE,
            obj=booking,
        )
        booking_id = booking.pk
        transaction.on_commit(
            lambda: booking_saved.send(sender=Booking, booking_id=booking_id, actor=actor)
        )
    return booking


def _contact_person_save(*, actor, person: ContactPerson) -> ContactPerson:
    person.created_by = actor
    person.mobile = normalize_mobile(person.mobile)
    person.email = normalize_email(person.email)
    if person.started_on is None:
        person.started_on = timezone.localdate()
    person.full_clean()
    person._history_user = actor
    person.save()
    return person


@transaction.atomic
def contact_person_add(*, actor, person: ContactPerson) -> ContactPerson:
    person = _contact_person_save(actor=actor, person=person)
    audit_record(actor=actor, action=AuditAction.CREATE, obj=person)
    return person


@transaction.atomic
def contact_person_replace(
    *, actor, old: ContactPerson, new: ContactPerson, reason: str
) -> ContactPerson:
    """A change of contact person is itself an event: the old contact's time ends the day
    the new one starts, with the reason, and both stay on file."""
    if not old.is_current:
        raise ValidationError(_("This contact person has already been replaced."))
    new.customer = old.customer
    new.is_primary = new.is_primary or old.is_primary
    new = _contact_person_save(actor=actor, person=new)
    old.ended_on = new.started_on
    old.end_reason = reason
    old.replaced_by = new
    old.full_clean()
    old._history_user = actor
    old.save()
    audit_record(
        actor=actor,
        action=AuditAction.CHANGE,
        obj=old,
        detail={"replaced_by": new.name, "reason": reason},
    )
    return new
