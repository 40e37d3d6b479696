"""What anonymising a person will change and keep (read-only: the panel shows it)."""

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from customers.models import AuditEntry, Customer, CustomerKind
from privacy.anonymisation.rules import (
    CHANGED_LABELS,
    HISTORY_M2M,
    KEPT_WHAT,
    KEPT_WHY,
    _model,
    _plain,
)
from privacy.anonymisation.traces import Traces, find_traces
from privacy.models import (
    RightsRequest,
)


@dataclass
class Plan:
    """What anonymising a person will do: the holds that stop it, what is kept and why,
    what changes (rows per kind)."""

    customer: Customer
    holds: list[dict] = field(default_factory=list)
    kept: list[dict] = field(default_factory=list)
    changes: dict[str, int] = field(default_factory=dict)
    traces: Traces | None = None

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
                # % on the lazy string itself: a plural picks its form from params["count"].
                "what": str(KEPT_WHAT[item["what"]] % params),
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
        # Preferences and their history go: they say nothing the law needs.
        "preferences": [
            Customer.tags.through.objects.filter(customer_id=pk),
            Customer.desired_destinations.through.objects.filter(customer_id=pk),
            *[
                _model(label).objects.filter(customer_id=pk)
                for label in HISTORY_M2M
                if _model(label) is not None
            ],
        ],
        "contact_people": [
            customer.contact_people.model.objects.filter(customer_id=pk),
            customer.contact_people.model.history.model.objects.filter(customer_id=pk),
        ],
        "contact_records": [customer.contact_records.model.objects.filter(customer_id=pk)],
        "service_records": [customer.service_records.model.objects.filter(customer_id=pk)],
        "audit": [_plain(AuditEntry).filter(customer_id=pk).exclude(object_repr="")],
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
    # Rows with only an optional text change only when the text is there.
    text_only = {
        "followups.CustomerWarning": "handled_note",
        "tiers.Proposal": "decision_note",
        "tiers.GradeChange": "reason",
    }
    for kind, labels in optional.items():
        sets[kind] = []
        for label in labels:
            model = _model(label)
            if model is None:
                continue
            rows = model.objects.filter(customer_id=pk)
            if label in text_only:
                rows = rows.exclude(**{text_only[label]: ""})
            sets[kind].append(rows)
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
    plan.traces = find_traces(customer)
    if plan.traces.import_dates:
        plan.kept.append(
            {"what": "imports", "why": "many_people", "dates": ", ".join(plan.traces.import_dates),
             "days": import_file_retention_days()}
        )  # fmt: skip
    for kind, querysets in _change_querysets(customer).items():
        count = sum(queryset.count() for queryset in querysets)
        if count:
            plan.changes[kind] = count
    plan.changes.update({kind: count for kind, count in plan.traces.counts().items() if count})
    return plan


def import_file_retention_days() -> int:
    """Days an uploaded import file is stored (the imports app's daily job deletes it)."""
    from imports.services import import_file_retention_days as days

    return days()
