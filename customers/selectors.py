"""Reads. Every page, search, export and admin list gets its customers from
`customer_list_visible`: the one door for visibility. Out of scope means 404."""

import datetime
import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone
from simple_history.models import ModelChange

from accounts.roles import (
    FINANCE,
    MANAGER,
    SALES,
    SEE_ALL_ROLES,
    TEAM_LEAD,
    has_role,
    is_manager,
    role_names,
)
from customers.dormancy import business_booking_q, dormant_days, dormant_since
from customers.id_numbers import id_number_q
from customers.masking import customer_identity_for, sensitive_kind
from customers.models import (
    AccessRequest,
    AccessRequestStatus,
    Booking,
    BookingStatus,
    ContactPerson,
    ContactRecord,
    Customer,
    CustomerKind,
    Destination,
    ServiceRecord,
    Tag,
)
from customers.validators import (
    normalize_id_number,
    normalize_mobile,
    normalize_org_name,
)

TIMELINE_LIMIT = 60


def _service_team_id(user) -> int | None:
    """A service account's owner scope (api.ServiceAccount): its team; None means all."""
    return user.team_id


def _scope(user, prefix: str = "") -> Q | None:
    """The customers `user` is responsible for, as a filter; None means all of them.
    `prefix` ("customer__") spells it for a related model's rows."""
    if getattr(user, "is_service_account", False):
        team_id = _service_team_id(user)
        return None if team_id is None else Q(**{f"{prefix}owner__team_id": team_id})
    if user.is_superuser or role_names(user) & SEE_ALL_ROLES:
        return None
    if has_role(user, TEAM_LEAD):
        # The team's reps fetched first: `owner_id IN (<ids>)` walks the (owner, name, id)
        # index, where a join to the users and teams would scan every customer.
        User = get_user_model()
        team = User.objects.filter(team__lead=user).values_list("pk", flat=True)
        return Q(**{f"{prefix}owner_id__in": sorted({user.pk, *team})})
    return Q(**{f"{prefix}owner": user})


def customer_responsible_q(*, user, prefix: str = "customer__") -> Q:
    """`customer_list_responsible` as a filter on rows that belong to a customer
    (bookings: prefix "customer__"). A sum over a month's bookings then joins only the
    customers those bookings name, instead of testing each booking against the set of
    every visible customer (at a million customers, a hash of the whole table)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Q(pk__in=[])
    scope = _scope(user, prefix)
    if scope is None:
        # Everyone's customers but the recycle bin's: a NOT IN over the bin's small
        # partial index, so the rows need no join with the customer table at all.
        in_bin = Customer.all_objects.filter(deleted_at__isnull=False).values("pk")
        return ~Q(**{f"{prefix}id__in": in_bin})
    return Q(**{f"{prefix}deleted_at__isnull": True}) & scope


def owner_scope_q(*, user) -> Q:
    """`customer_list_responsible`'s rule for rows kept per owner (the stored month
    figures, customers.models.figures): the user's own, the team's, or all (empty Q)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Q(pk__in=[])
    scope = _scope(user)
    return Q() if scope is None else scope


def customer_list_responsible(*, user) -> QuerySet[Customer]:
    """The customers `user` works on: own; a team lead's team; everything for managers,
    custodians and finance. Special access is not here: it lets a person read a customer,
    never act on it, so every write door (tour groups, archive documents, records) takes
    its customers from this selector, not from `customer_list_visible`."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Customer.objects.none()
    scope = _scope(user)
    return Customer.objects.all() if scope is None else Customer.objects.filter(scope)


def customer_list_visible(*, user, include_deleted: bool = False) -> QuerySet[Customer]:
    """The customers `user` may see: those they are responsible for, plus special access
    a manager granted. Soft-deleted customers only on request (custodians restore)."""
    manager = Customer.all_objects if include_deleted else Customer.objects
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return manager.none()
    scope = _scope(user)
    if scope is None:
        return manager.all()
    # Special access 特殊调阅 approved by a manager: read-only, and it ends by itself.
    # The few ids are fetched first: `owner_id = X OR id IN (<ids>)` is two index
    # ranges, where `OR id IN (subquery)` made PostgreSQL scan every customer.
    granted = list(
        AccessRequest.objects.filter(
            requester=user, status=AccessRequestStatus.APPROVED, expires_at__gt=timezone.now()
        ).values_list("customer_id", flat=True)
    )
    return manager.filter(scope | Q(pk__in=granted) if granted else scope)


def customer_get_visible(*, user, pk: Any) -> Customer:
    try:
        return (
            customer_list_visible(user=user)
            .select_related("owner__team", "channel_partner")
            .get(pk=pk)
        )
    except (Customer.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def customer_list_editable_by_ids(*, user, ids) -> list[Customer]:
    """The customers named by `ids` for a bulk change on the list page, locked for update
    (call inside a transaction). Every one must be a customer `user` may change
    (customer_can_edit: their own, their team's for a lead, any for a manager); one
    outside that, or an id that names nothing, is a 404 for the whole batch, so the
    answer never tells which ids exist."""
    try:
        wanted = {int(pk) for pk in ids}
    except (TypeError, ValueError):
        raise Http404 from None
    customers = list(
        customer_list_responsible(user=user)
        .select_for_update(of=("self",))
        .select_related("owner__team")
        .filter(pk__in=wanted)
        .order_by("pk")
    )
    if len(customers) != len(wanted) or not all(
        customer_can_edit(user=user, customer=customer) for customer in customers
    ):
        raise Http404
    return customers


def customer_can_edit(*, user, customer: Customer) -> bool:
    """Owner, the owner's team lead, and managers may change a customer's archive; a
    service account, the customers of its owner scope (its token's scopes say whether
    it may write at all)."""
    if getattr(user, "is_service_account", False):
        team_id = _service_team_id(user)
        return team_id is None or customer.owner.team_id == team_id
    if is_manager(user):
        return True
    if customer.owner_id == user.pk:
        return True
    return (
        has_role(user, TEAM_LEAD)
        and customer.owner.team is not None
        and (customer.owner.team.lead_id == user.pk)
    )


def booking_can_edit(*, user, customer: Customer) -> bool:
    """Finance confirms amounts, cost and payment on any booking it can see."""
    return has_role(user, FINANCE) or customer_can_edit(user=user, customer=customer)


def customer_can_create(*, user) -> bool:
    if getattr(user, "is_service_account", False):
        return True  # for a rep of its owner scope (owner_choices); its scopes decide
    return user.is_superuser or has_role(user, SALES, TEAM_LEAD, MANAGER)


def customer_find_for_access_request(*, identifier: str) -> Customer | None:
    """The one customer an exact mobile, full ID number or organisation name names."""
    matches = {
        duplicate.customer.pk: duplicate.customer
        for duplicate in customer_find_duplicates(
            id_number=identifier, mobile=identifier, name=identifier, kind="corporate"
        )
        if not duplicate.customer.is_deleted
    }
    return next(iter(matches.values())) if len(matches) == 1 else None


def customer_can_see_full_id(*, user, customer: Customer) -> bool:
    """Only the owner and managers need a customer's full ID number."""
    return user.is_superuser or customer.owner_id == user.pk or has_role(user, MANAGER)


def customer_id_number_lookup_allowed(*, user, customer: Customer, identifier: str) -> bool:
    """False when `identifier` found `customer` by its ID number and `user` already sees
    the customer but not its full number: saying "you can already see this customer"
    would confirm a guessed number."""
    if normalize_id_number(identifier) != customer.id_number:
        return True
    visible = customer_list_visible(user=user).filter(pk=customer.pk).exists()
    return not visible or customer_can_see_full_id(user=user, customer=customer)


def customer_id_number_match(*, user, id_number: str | Iterable[str]) -> Q:
    """Customers whose full ID number is `id_number` (or any of several), among those
    whose full number `user` may see. A search by ID number must not answer yes or no
    about anyone else's: with the last four digits, the birthday's day and month and the
    address in view, a handful of guessed numbers would confirm the hidden year."""
    match = id_number_q(id_number)
    if user.is_superuser or has_role(user, MANAGER):
        return match
    return match & Q(owner=user)


def owner_choices(*, user) -> QuerySet:
    """Staff `user` may give a customer to: managers any active rep, leads their team."""
    User = get_user_model()
    reps = User.objects.filter(
        is_active=True, groups__name__in=[SALES, TEAM_LEAD, MANAGER]
    ).distinct()
    if getattr(user, "is_service_account", False):
        team_id = _service_team_id(user)
        return (reps if team_id is None else reps.filter(team_id=team_id)).order_by("username")
    if is_manager(user):
        return reps.order_by("username")
    if has_role(user, TEAM_LEAD):
        return reps.filter(Q(team__lead=user) | Q(pk=user.pk)).order_by("username")
    return User.objects.filter(pk=user.pk)


def handover_candidates(*, employee) -> QuerySet:
    """Active sales reps (leads included) who can take over `employee`'s customers."""
    User = get_user_model()
    return (
        User.objects.filter(is_active=True, groups__name__in=[SALES, TEAM_LEAD])
        .exclude(pk=employee.pk)
        .distinct()
        .order_by("username")
    )


def _count_per(queryset, *, field: str):
    """A correlated COUNT per outer row: one index range each, no join fan-out."""
    counted = queryset.filter(**{field: OuterRef("pk")}).order_by().values(field)
    return Coalesce(Subquery(counted.annotate(n=Count("pk")).values("n")[:1]), 0)


def staff_others() -> QuerySet:
    """Active staff who follow no customers (managers, custodians, finance, people without
    a role yet), with their groups: the Staff page lists them under the reps, so a person
    moved off sales can still be given another role or team."""
    User = get_user_model()
    reps = User.objects.filter(groups__name__in=[SALES, TEAM_LEAD]).values("pk")
    return (
        User.objects.filter(is_active=True, is_service_account=False)
        .exclude(pk__in=reps)
        .select_related("team")
        .prefetch_related("groups")
        .order_by("username")
    )


def staff_workload(*, now: datetime.datetime | None = None) -> QuerySet:
    """Every rep with how many customers they follow and how recently they made contact:
    what managers would otherwise ask for in hand-written weekly reports. Correlated
    subqueries, so a rep with 200,000 customers costs an index range, not a join."""
    now = now or timezone.now()
    User = get_user_model()
    since = now - datetime.timedelta(days=30)
    last_contact = ContactRecord.objects.filter(by=OuterRef("pk")).order_by("-contacted_at")
    return (
        User.objects.filter(groups__name__in=[SALES, TEAM_LEAD])
        .distinct()
        .select_related("team", "departure")
        .annotate(
            customer_count=_count_per(Customer.objects.all(), field="owner"),
            contacts_30d=_count_per(
                ContactRecord.objects.filter(contacted_at__gte=since), field="by"
            ),
            last_contact_at=Subquery(last_contact.values("contacted_at")[:1]),
        )
        .order_by("-is_active", "team__name", "username")
    )


@dataclass(frozen=True)
class Duplicate:
    field: str
    customer: Customer


def customer_find_duplicates(
    *, id_number: str = "", mobile: str = "", name: str = "", kind: str = "", exclude_pk=None
) -> list[Duplicate]:
    """Customers (including deleted ones) that share an ID number, mobile or organisation
    name with the given facts: two reps must not work the same customer unknowingly."""
    wanted = {
        "id_number": normalize_id_number(id_number),
        "mobile": normalize_mobile(mobile),
        "name_normalised": (
            normalize_org_name(name) if kind and kind != CustomerKind.INDIVIDUAL else ""
        ),
    }
    condition = Q()
    for field, value in wanted.items():
        if value:
            condition |= id_number_q(value) if field == "id_number" else Q(**{field: value})
    if not condition:
        return []
    candidates = Customer.all_objects.filter(condition).select_related("owner")
    if exclude_pk:
        candidates = candidates.exclude(pk=exclude_pk)
    found = []
    for candidate in candidates[:10]:
        for field, value in wanted.items():
            if not value or getattr(candidate, field) != value:
                continue
            if field == "name_normalised" and not candidate.is_organisation:
                continue
            found.append(
                Duplicate(field="name" if field == "name_normalised" else field, customer=candidate)
            )
    return found


def customer_list_annotate(queryset: QuerySet[Customer]) -> QuerySet[Customer]:
    """What the list page shows per row, in the same query."""
    last_contact = ContactRecord.objects.filter(customer=OuterRef("pk")).order_by("-contacted_at")
    return queryset.select_related("owner").annotate(
        last_contact_at=Subquery(last_contact.values("contacted_at")[:1])
    )


def customer_filter_never_contacted(queryset) -> QuerySet[Customer]:
    """Customers with no contact record, by the stored Customer.last_contacted_at
    (customers.services.last_contact, written with every contact record) on its partial
    index: the NOT EXISTS it replaces probed the contact records of every customer in the
    list's order and read all million when none matched (1.6 s)."""
    return queryset.filter(last_contacted_at__isnull=True)


def customer_filter_not_contacted_since(queryset, *, since: datetime.datetime):
    recent = ContactRecord.objects.filter(customer=OuterRef("pk"), contacted_at__gte=since)
    return queryset.filter(~Exists(recent))


def customer_filter_dormant(
    queryset, *, today: datetime.date | None = None, days: int | None = None
) -> QuerySet[Customer]:
    """The semi-dormant customers of `queryset` on `today` by the one definition in
    customers.dormancy, with the tier policy's days: two EXISTS probes per customer on
    the (customer, start_date) booking index, no aggregate over the bookings."""
    today = today or timezone.localdate()
    since = dormant_since(as_of=today, days=dormant_days() if days is None else days)
    business = Booking.objects.filter(business_booking_q(as_of=today), customer=OuterRef("pk"))
    added_before = timezone.make_aware(datetime.datetime.combine(since, datetime.time.min))
    return queryset.filter(~Exists(business.filter(start_date__gte=since))).filter(
        Q(created_at__lt=added_before) | Exists(business.filter(start_date__lt=since))
    )


def customer_filter_dormant_stored(
    queryset, *, dormant: bool = True, today: datetime.date | None = None, days: int | None = None
) -> QuerySet[Customer]:
    """The same answer as `customer_filter_dormant` for today, read from the stored
    Customer.dormancy_counts_from (customers.services.dormancy): an index range instead
    of two probes into the bookings per customer. `dormant=False`: the others. A customer
    not yet computed (added since the last refresh) counts as added today: not dormant."""
    today = today or timezone.localdate()
    since = dormant_since(as_of=today, days=dormant_days() if days is None else days)
    if dormant:
        return queryset.filter(dormancy_counts_from__lt=since)
    return queryset.filter(
        Q(dormancy_counts_from__gte=since) | Q(dormancy_counts_from__isnull=True)
    )


@dataclass(frozen=True)
class TimelineEntry:
    when: datetime.datetime
    kind: str  # booking | contact | service | contact_change
    item: Any


def _start_of_day(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def customer_contact_people(*, customer: Customer) -> list[ContactPerson]:
    """The customer's contact people, current first, each with the person they replaced
    (`replaces`) read in the same query: the timeline's contact changes come from them."""
    return list(customer.contact_people.select_related("replaces"))


def customer_timeline(
    *,
    customer: Customer,
    limit: int = TIMELINE_LIMIT,
    contact_people: list[ContactPerson] | None = None,
) -> list[TimelineEntry]:
    """Bookings, contacts, service records and contact-person changes, newest first.
    A fixed number of queries however long the customer's history is; one fewer when the
    caller has read `customer_contact_people` already."""
    entries = [
        TimelineEntry(_start_of_day(b.start_date), "booking", b)
        for b in customer.bookings.select_related("destination").order_by("-start_date")[:limit]
    ]
    entries += [
        TimelineEntry(c.contacted_at, "contact", c)
        for c in customer.contact_records.select_related("by").order_by("-contacted_at")[:limit]
    ]
    entries += [
        TimelineEntry(s.occurred_at, "service", s)
        for s in customer.service_records.select_related("recorded_by").order_by("-occurred_at")[
            :limit
        ]
    ]
    if contact_people is None:
        changes = list(
            ContactPerson.objects.filter(customer=customer, replaces__isnull=False)
            .select_related("replaces")
            .order_by("-started_on")[:limit]
        )
    else:
        changes = sorted(
            (p for p in contact_people if getattr(p, "replaces", None) is not None),
            key=lambda p: p.started_on,
            reverse=True,
        )[:limit]
    entries += [TimelineEntry(_start_of_day(p.started_on), "contact_change", p) for p in changes]
    entries.sort(key=lambda entry: entry.when, reverse=True)
    return entries[:limit]


@dataclass(frozen=True)
class CustomerFigures:
    paid_total: Any
    gross_profit_total: Any
    booking_count: int
    contact_count: int
    open_service_count: int


def _count_of(queryset: QuerySet) -> Subquery:
    return Subquery(
        queryset.order_by().values("customer_id").annotate(n=Count("pk")).values("n"),
        output_field=IntegerField(),
    )


def customer_figures(*, customer: Customer) -> CustomerFigures:
    """The customer page's figures in one query (each count a probe of its customer
    index)."""
    paid = Booking.objects.filter(customer_id=OuterRef("pk"), status=BookingStatus.PAID)
    row = (
        Customer.all_objects.filter(pk=customer.pk)
        .annotate(
            paid_total=Subquery(
                paid.order_by().values("customer_id").annotate(s=Sum("amount")).values("s")
            ),
            gross_profit_total=Subquery(
                paid.order_by().values("customer_id").annotate(s=Sum("gross_profit")).values("s")
            ),
            booking_count=_count_of(Booking.objects.filter(customer_id=OuterRef("pk"))),
            contact_count=_count_of(ContactRecord.objects.filter(customer_id=OuterRef("pk"))),
            open_service_count=_count_of(
                ServiceRecord.objects.filter(customer_id=OuterRef("pk"), status="open")
            ),
        )
        .values(
            "paid_total",
            "gross_profit_total",
            "booking_count",
            "contact_count",
            "open_service_count",
        )
        .get()
    )
    return CustomerFigures(
        paid_total=row["paid_total"] or 0,
        gross_profit_total=row["gross_profit_total"] or 0,
        booking_count=row["booking_count"] or 0,
        contact_count=row["contact_count"] or 0,
        open_service_count=row["open_service_count"] or 0,
    )


@dataclass(frozen=True)
class FieldChange:
    field_label: str
    old: str
    new: str


def _history_value(field, value, *, identity, m2m_names: dict) -> str:
    if value in (None, ""):
        return ""
    if field.many_to_many:
        target = field.related_model._meta.model_name
        ids = [row.get(target) for row in value]
        return ", ".join(m2m_names.get((target, pk), str(pk)) for pk in ids)
    kind = sensitive_kind(Customer, field.name)
    if kind is not None:
        return identity.display(kind, value)  # the masking rule, as on every page
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    return str(value)


def _service_field_changes(newer, older) -> list[ModelChange]:
    """Changes to the fields only services write (the grade, when marked lost), which
    simple-history's diff leaves out as not editable."""
    return [
        ModelChange(field.name, getattr(older, field.attname), getattr(newer, field.attname))
        for field in newer.tracked_fields
        if not field.editable
        and field.name not in ("id", "created_at")
        and getattr(older, field.attname) != getattr(newer, field.attname)
    ]


def customer_history(*, customer: Customer, user, limit: int = 100):
    """Field-level change history, newest first, readable: labels, choice names, and
    the ID number and birthday as `user` may see them (customers.masking)."""
    identity = customer_identity_for(user=user, customer=customer)
    records = list(
        customer.history.select_related("history_user").order_by("-history_date")[: limit + 1]
    )
    m2m_names = {("destination", d.pk): d.name for d in Destination.objects.all()}
    m2m_names |= {("tag", t.pk): t.name for t in Tag.objects.all()}
    changes = []
    for newer, older in itertools.pairwise(records):
        delta = newer.diff_against(older)
        rows = []
        for change in [*delta.changes, *_service_field_changes(newer, older)]:
            field = Customer._meta.get_field(change.field)
            rows.append(
                FieldChange(
                    field_label=str(field.verbose_name),
                    old=_history_value(field, change.old, identity=identity, m2m_names=m2m_names),
                    new=_history_value(field, change.new, identity=identity, m2m_names=m2m_names),
                )
            )
        changes.append((newer, rows))
    if len(records) <= limit and records:
        changes.append((records[-1], []))
    return changes
