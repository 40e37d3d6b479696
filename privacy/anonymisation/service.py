"""The anonymisation service: one person, or several under the mass-deletion guard."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from customers.audit import audit_record
from customers.models import AuditAction, Customer, CustomerKind
from customers.services.custody import deletions_over_limit, mass_deletion_refused
from customers.validators import normalize_org_name
from privacy.anonymisation.plan import (
    Plan,
    _archives,
    _change_querysets,
    _hold_refusal,
    anonymisation_plan,
    kept_labels,
)
from privacy.anonymisation.rules import (
    BLANK_FIELDS,
    CHANGED_LABELS,
    NULL_FIELDS,
    _model,
    anonymised_text,
    placeholder,
    privacy_can_anonymise,
)
from privacy.anonymisation.traces import clean_traces
from privacy.models import (
    Anonymisation,
    DormantProposal,
    ProposalStatus,
    RequestKind,
    RequestStatus,
    RightsRequest,
)
from privacy.services.copy import rights_copies_discard


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
    counts["preferences"] = sum(queryset.delete()[0] for queryset in sets["preferences"])
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
            # The traces first: their old values are read before the archive is blanked,
            # and the audit names are then set by _write.
            counts = clean_traces(
                plan.traces, name=placeholder(customer.pk), text=anonymised_text(), now=now
            )
            counts = {**_write(customer, now=now), **counts}
            rights_copies_discard(customer=customer)  # no copy of the former details stays
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
