"""Anonymising a person (PIPL Art. 47): one service, every door (the deletion request's
panel, the dormant-customer queue).

Set-based: one UPDATE (or DELETE) per kind of row, by customer id, in one transaction with
the customer row locked. What the law requires stays (bookings' figures, business
archives within retention, the points ledger, the facts of consent, the audit log) and is
listed in the `Anonymisation` record with the reason; nothing happens at all while an
archive of the person's tours is under legal hold.

`HANDLED` names every model that points to a customer and what is done with it: a test
fails when a new model pointing to Customer is not in it. Other apps' models are reached
by label (apps.get_model), so privacy imports none of them."""

import datetime
from dataclasses import dataclass, field

from django.apps import apps
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.roles import CUSTODIAN, has_role, is_manager
from customers.audit import audit_record
from customers.models import AuditAction, AuditEntry, Customer, CustomerKind
from customers.services.custody import deletions_over_limit, mass_deletion_refused
from customers.validators import normalize_org_name
from privacy.models import (
    Anonymisation,
    DormantProposal,
    ProposalStatus,
    RequestKind,
    RequestStatus,
    RightsRequest,
)

# What is done with each model pointing to a customer (label → "anonymised" or the kept
# reason code). privacy_anonymise below does the "anonymised" ones.
HANDLED = {
    "customers.Customer": "anonymised",
    "customers.HistoricalCustomer": "anonymised",
    "customers.HistoricalCustomer_tags": "anonymised",  # deleted: preferences
    "customers.HistoricalCustomer_desired_destinations": "anonymised",  # deleted
    "customers.ContactPerson": "anonymised",
    "customers.HistoricalContactPerson": "anonymised",
    "customers.ContactRecord": "anonymised",
    "customers.ServiceRecord": "anonymised",
    "customers.AuditEntry": "anonymised",  # the name in object_repr; the facts stay
    "customers.AccessRequest": "anonymised",
    "customers.Booking": "accounting",
    "customers.HistoricalBooking": "accounting",
    "customers.HandoverItem": "no_personal_data",
    "privacy.Consent": "proof",
    "privacy.RightsRequest": "anonymised",
    "privacy.Anonymisation": "proof",
    "privacy.DormantProposal": "proof",
    "tiers.Proposal": "anonymised",
    "tiers.GradeChange": "anonymised",
    "tiers.GradeNotification": "anonymised",
    "tiers.CustomerSnapshot": "no_personal_data",
    "followups.Followup": "anonymised",
    "followups.StandingVisit": "anonymised",
    "followups.KeyAccountRecord": "anonymised",
    "followups.MailingRecipient": "anonymised",
    "followups.CustomerWarning": "anonymised",
    "followups.EventInvitation": "no_personal_data",
    "loyalty.Card": "accounting",
    "loyalty.AnnualReward": "accounting",
}

# Kept things, stored as codes and read in the reader's language.
KEPT_WHAT = {
    "bookings": gettext_lazy("%(count)s booking(s): amounts, dates and booking numbers"),
    "archive": gettext_lazy("Business archive of tour %(group)s (kept until %(until)s)"),
    "points": gettext_lazy("The points card and its ledger sums"),
    "consents": gettext_lazy("The dates and purposes of consent and withdrawal"),
    "audit": gettext_lazy("The audit log's entries (who did what, when), without the name"),
    "name": gettext_lazy("The organisation's name (not personal information)"),
}
KEPT_WHY = {
    "accounting": gettext_lazy("accounting records the law requires the agency to keep"),
    "retention": gettext_lazy(
        "the Travel Agency Regulations require business archives to be kept for their "
        "retention period"
    ),
    "proof": gettext_lazy("proof that the person's consent and requests were honoured"),
    "audit": gettext_lazy("the agency must show who processed personal information"),
    "not_personal": gettext_lazy("it is not personal information"),
}
CHANGED_LABELS = {
    "customer": gettext_lazy("Name, ID number, phones, e-mail, address, dates and notes"),
    "customer_history": gettext_lazy("Change history of the archive"),
    "preferences": gettext_lazy("Tags and desired destinations"),
    "contact_people": gettext_lazy("Contact people (names, phones, e-mails), with history"),
    "contact_records": gettext_lazy("Notes of contact records"),
    "service_records": gettext_lazy("Texts of service records and feedback"),
    "followups": gettext_lazy("Follow-up notes (open follow-ups are skipped)"),
    "care": gettext_lazy("Key-account records, mailing labels, standing visits, warnings"),
    "tiers": gettext_lazy("Notes on grade changes and notification addresses"),
    "requests": gettext_lazy("Texts of access and personal-information requests"),
    "audit": gettext_lazy("Names in the audit log"),
}

# Customer columns emptied ("" or NULL); the name gets the placeholder.
BLANK_FIELDS = [
    "policy_first_class", "id_number", "sex", "occupation", "mobile", "phone", "email",
    "province", "city", "district", "street_address", "postal_code", "pref_airline",
    "pref_aircraft_size", "pref_seat", "pref_hotel_class", "pref_diet", "character_notes",
]  # fmt: skip
NULL_FIELDS = ["birthday", "wedding_anniversary"]
HISTORY_M2M = (
    "customers.HistoricalCustomer_tags",
    "customers.HistoricalCustomer_desired_destinations",
)


def placeholder(customer_id: int) -> str:
    """The neutral name an anonymised person carries, in the office language."""
    with translation.override(settings.LANGUAGE_CODE):
        return _("Anonymised #%(id)s") % {"id": customer_id}


def anonymised_text() -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return _("(anonymised)")


def privacy_can_anonymise(user) -> bool:
    """Custodians and managers: those who answer a person's requests."""
    return is_manager(user) or has_role(user, CUSTODIAN)


def _model(label: str):
    app_label, name = label.split(".")
    try:
        return apps.get_model(app_label, name)
    except LookupError:
        return None


def _plain(model) -> QuerySet:
    """A queryset without the model's own guards: the audit log refuses `update()` to
    every writer but this one, which removes a name from it."""
    return QuerySet(model=model)


@dataclass
class Plan:
    """What anonymising a person will do: the holds that stop it, what is kept and why,
    what changes (rows per kind)."""

    customer: Customer
    holds: list[dict] = field(default_factory=list)
    kept: list[dict] = field(default_factory=list)
    changes: dict[str, int] = field(default_factory=dict)

    @property
    def refused(self) -> bool:
        return bool(self.holds)

    def kept_display(self) -> list[dict]:
        return kept_labels(self.kept)

    def changes_display(self) -> list[tuple[str, int]]:
        return [(str(CHANGED_LABELS[kind]), count) for kind, count in self.changes.items()]


def kept_labels(kept: list[dict]) -> list[dict]:
    rows = []
    for item in kept:
        params = {key: value for key, value in item.items() if key not in {"what", "why"}}
        rows.append(
            {
                "what": str(KEPT_WHAT[item["what"]]) % params,
                "why": str(KEPT_WHY[item["why"]]),
            }
        )
    return rows


def _archives(customer_id: int):
    """The person's tours' business archives not destroyed (archives app, if installed)."""
    archive_model = _model("archives.BusinessArchive")
    link_model = _model("archives.TourGroupBooking")
    if archive_model is None or link_model is None:
        return None
    tours = link_model.objects.filter(booking__customer_id=customer_id).values("tour_id")
    return (
        archive_model.objects.filter(tour_id__in=tours)
        .exclude(status="destroyed")
        .select_related("tour")
        .order_by("retention_end", "id")
    )


def _hold_refusal(holds: list[dict]) -> ValidationError:
    names = "; ".join(
        _("tour %(group)s (legal hold: %(reason)s)") % hold if hold["reason"] else
        _("tour %(group)s (legal hold)") % hold
        for hold in holds
    )  # fmt: skip
    return ValidationError(
        _(
            "Nothing was changed: the business archive of %(holds)s is under legal hold, and "
            "nothing is anonymised past an open legal hold. Ask a custodian to lift the hold "
            "when the case ends."
        )
        % {"holds": names},
        code="legal_hold",
    )


def _change_querysets(customer: Customer) -> dict[str, list[QuerySet]]:
    """Per kind, the rows that anonymisation changes (for counting and for writing)."""
    pk = customer.pk
    sets: dict[str, list[QuerySet]] = {
        "customer": [Customer.all_objects.filter(pk=pk)],
        "customer_history": [Customer.history.model.objects.filter(id=pk)],
        "preferences": [
            Customer.tags.through.objects.filter(customer_id=pk),
            Customer.desired_destinations.through.objects.filter(customer_id=pk),
        ],
        "contact_people": [
            customer.contact_people.model.objects.filter(customer_id=pk),
            customer.contact_people.model.history.model.objects.filter(customer_id=pk),
        ],
        "contact_records": [customer.contact_records.model.objects.filter(customer_id=pk)],
        "service_records": [customer.service_records.model.objects.filter(customer_id=pk)],
        "audit": [_plain(AuditEntry).filter(customer_id=pk)],
        "requests": [
            RightsRequest.objects.filter(customer_id=pk),
            _model("customers.AccessRequest").objects.filter(customer_id=pk),
        ],
    }
    optional = {
        "followups": ["followups.Followup"],
        "care": [
            "followups.StandingVisit",
            "followups.KeyAccountRecord",
            "followups.MailingRecipient",
            "followups.CustomerWarning",
        ],
        "tiers": ["tiers.Proposal", "tiers.GradeChange", "tiers.GradeNotification"],
    }
    for kind, labels in optional.items():
        found = [_model(label) for label in labels]
        sets[kind] = [model.objects.filter(customer_id=pk) for model in found if model]
    return sets


def anonymisation_plan(*, customer: Customer, today: datetime.date | None = None) -> Plan:
    """Read-only: what `customer_anonymise` would do now (the panel shows it first)."""
    today = today or timezone.localdate()
    plan = Plan(customer=customer)
    archives = _archives(customer.pk)
    for archive in archives if archives is not None else []:
        group = archive.tour.group_number
        if archive.legal_hold:
            plan.holds.append({"group": group, "reason": archive.legal_hold_reason})
        elif archive.retention_end >= today:
            plan.kept.append(
                {"what": "archive", "why": "retention", "group": group,
                 "until": archive.retention_end.isoformat()}
            )  # fmt: skip
    bookings = customer.bookings.model.objects.filter(customer_id=customer.pk).count()
    if bookings:
        plan.kept.insert(0, {"what": "bookings", "why": "accounting", "count": bookings})
    card = _model("loyalty.Card")
    if card is not None and card.objects.filter(customer_id=customer.pk).exists():
        plan.kept.append({"what": "points", "why": "accounting"})
    if customer.consents.exists():
        plan.kept.append({"what": "consents", "why": "proof"})
    plan.kept.append({"what": "audit", "why": "audit"})
    if customer.kind != CustomerKind.INDIVIDUAL:
        plan.kept.append({"what": "name", "why": "not_personal"})
    for kind, querysets in _change_querysets(customer).items():
        count = sum(queryset.count() for queryset in querysets)
        if count:
            plan.changes[kind] = count
    return plan


def _write(customer: Customer, *, now: datetime.datetime) -> dict[str, int]:
    pk = customer.pk
    is_person = customer.kind == CustomerKind.INDIVIDUAL
    name = placeholder(pk)
    text = anonymised_text()
    counts: dict[str, int] = {}
    sets = _change_querysets(customer)
    blank = dict.fromkeys(BLANK_FIELDS, "") | dict.fromkeys(NULL_FIELDS)
    identity = {"name": name} if is_person else {}

    (customer_rows,) = sets["customer"]
    counts["customer"] = customer_rows.update(
        **blank,
        **identity,
        **({"name_normalised": normalize_org_name(name)} if is_person else {}),
        id_number_index="",
        name_pinyin="",
        name_initials="",
        anonymised_at=now,
    )
    (history,) = sets["customer_history"]
    counts["customer_history"] = history.update(**blank, **identity, anonymised_at=now)
    # Preferences and their history go: they say nothing the law needs.
    deleted = 0
    for label in HISTORY_M2M:
        model = _model(label)
        if model is not None:
            deleted += model.objects.filter(customer_id=pk).delete()[0]
    for queryset in sets["preferences"]:
        deleted += queryset.delete()[0]
    counts["preferences"] = deleted
    with translation.override(settings.LANGUAGE_CODE):
        person = _("Anonymised contact")
    counts["contact_people"] = sum(
        queryset.update(name=person, title="", mobile="", email="", end_reason="")
        for queryset in sets["contact_people"]
    )
    (records,) = sets["contact_records"]
    counts["contact_records"] = records.update(notes="", next_step="")
    (service,) = sets["service_records"]
    counts["service_records"] = service.update(
        summary=text, details="", resolution="", correction=""
    )
    service.exclude(response="").update(response=text)
    (audit,) = sets["audit"]
    counts["audit"] = audit.exclude(object_repr="").update(object_repr=name)
    rights, access = sets["requests"]
    counts["requests"] = rights.update(requester="", details="") + access.update(reason=text)
    access.exclude(decision_note="").update(decision_note=text)
    for queryset in sets["followups"]:
        rows = queryset.update(note="", appointment_note="", facts={})
        queryset.filter(status="open").update(status="skipped", note=text)
        counts["followups"] = rows
    care = 0
    for queryset in sets["care"]:
        label = queryset.model._meta.label
        if label == "followups.StandingVisit":
            care += queryset.update(route="", active=False)
        elif label == "followups.KeyAccountRecord":
            care += queryset.update(
                customer_attendees=text, topics=text, opinions="", issues="", commitments=""
            )
        elif label == "followups.MailingRecipient":
            care += queryset.update(
                name=name, province="", city="", district="", street_address="",
                postal_code="", mobile="",
            )  # fmt: skip
        elif label == "followups.CustomerWarning":
            care += queryset.exclude(handled_note="").update(handled_note="")
    counts["care"] = care
    tiers = 0
    for queryset in sets["tiers"]:
        label = queryset.model._meta.label
        if label == "tiers.Proposal":
            tiers += queryset.exclude(decision_note="").update(decision_note=text)
        elif label == "tiers.GradeChange":
            tiers += queryset.exclude(reason="").update(reason=text)
        elif label == "tiers.GradeNotification":
            tiers += queryset.update(address="", error="")
    counts["tiers"] = tiers
    expiry = _model("loyalty.ExpiryNotice")
    if expiry is not None:
        expiry.objects.filter(lot__card__customer_id=pk).update(email="")
    return {kind: count for kind, count in counts.items() if count}


def _outcome(*, plan: Plan, counts: dict[str, int], actor, now) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        lines = [
            _("Anonymised on %(date)s by %(who)s.")
            % {"date": timezone.localtime(now).strftime("%Y-%m-%d %H:%M"), "who": str(actor)},
            _("Changed:"),
            *[f"- {CHANGED_LABELS[kind]}: {count}" for kind, count in counts.items()],
            _("Kept:"),
            *[f"- {row['what']}: {row['why']}" for row in kept_labels(plan.kept)],
        ]
    return "\n".join(lines)


def customer_anonymise(
    *,
    customer: Customer,
    by,
    reason: str,
    request: RightsRequest | None = None,
    now: datetime.datetime | None = None,
    _guarded: bool = False,
) -> Anonymisation:
    """Anonymise the person everywhere the law does not require keeping. Refused
    (ValidationError, nothing changed) under an open legal hold, for a person already
    anonymised, past the custody policy's deletion limit (MassActionRefused), or for a
    request that is not this person's open deletion request."""
    if not privacy_can_anonymise(by):
        raise PermissionDenied
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Give a reason."), code="reason_required")
    now = now or timezone.now()
    refusal = None
    with transaction.atomic():
        customer = Customer.all_objects.select_for_update().get(pk=customer.pk)
        if customer.anonymised_at is not None:
            raise ValidationError(_("This person has already been anonymised."), code="done")
        if request is not None:
            request = RightsRequest.objects.select_for_update().get(pk=request.pk)
            if (
                request.customer_id != customer.pk
                or request.kind != RequestKind.DELETION
                or request.status != RequestStatus.OPEN
            ):
                raise ValidationError(
                    _("This is not an open deletion request of this person."), code="request"
                )
        archives = _archives(customer.pk)
        if archives is not None:
            list(archives.select_for_update(of=("self",)))  # no hold set meanwhile
        plan = anonymisation_plan(customer=customer, today=timezone.localdate(now))
        if plan.refused:
            raise _hold_refusal(plan.holds)
        if not _guarded:
            already = deletions_over_limit(actor=by, count=1, now=now)
            if already is not None:
                refusal = already
        if refusal is None:
            counts = _write(customer, now=now)
            record = Anonymisation.objects.create(
                customer=customer,
                request=request,
                reason=reason[:300],
                performed_by=by,
                performed_at=now,
                kept=plan.kept,
                counts=counts,
            )
            DormantProposal.objects.filter(
                customer=customer, status=ProposalStatus.PROPOSED
            ).update(
                status=ProposalStatus.ANONYMISED,
                decided_by=by,
                decided_at=now,
                decision_reason=reason[:300],
            )
            if request is not None:
                request.status = RequestStatus.DONE
                request.outcome = _outcome(plan=plan, counts=counts, actor=by, now=now)
                request.closed_by = by
                request.closed_at = now
                request.save(update_fields=["status", "outcome", "closed_by", "closed_at"])
            customer.refresh_from_db()
            # A deletion for the custody guard (object_type "customer"); only ids and codes.
            audit_record(
                actor=by,
                action=AuditAction.DELETE,
                obj=customer,
                detail={
                    "anonymisation": record.pk,
                    "request": request.pk if request else None,
                    "changed": counts,
                    "kept": [item["what"] for item in plan.kept],
                },
            )
    if refusal is not None:
        raise mass_deletion_refused(actor=by, count=1, already=refusal, now=now)
    return record


@dataclass
class ManyResult:
    done: list[Anonymisation]
    refused: list[tuple[Customer, str]]


def customers_anonymise(
    *, customers: list[Customer], by, reason: str, now: datetime.datetime | None = None
) -> ManyResult:
    """Several people at once (the dormant queue's bulk confirm), under the custody
    policy's deletion limit as a whole: past it nothing is done and the managers are
    told. A person under legal hold is left out with the reason; the others go on."""
    if not privacy_can_anonymise(by):
        raise PermissionDenied
    now = now or timezone.now()
    targets = [customer for customer in customers if customer.anonymised_at is None]
    result = ManyResult(done=[], refused=[])
    if not targets:
        return result
    with transaction.atomic():
        already = deletions_over_limit(actor=by, count=len(targets), now=now)
        if already is None:
            for customer in targets:
                try:
                    with transaction.atomic():
                        result.done.append(
                            customer_anonymise(
                                customer=customer, by=by, reason=reason, now=now, _guarded=True
                            )
                        )
                except ValidationError as error:
                    result.refused.append((customer, " ".join(error.messages)))
    if already is not None:
        raise mass_deletion_refused(actor=by, count=len(targets), already=already, now=now)
    return result
