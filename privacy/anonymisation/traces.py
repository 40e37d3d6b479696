"""The person's traces in rows that have no key to them: outgoing mail, webhook
deliveries, the audit log's details (and the import files, which are only disclosed).

Found set-based, one query per table: messages and deliveries about the person by their
reference or payload key, the rest by a text prefilter on each old value the person ever
had (name of a person, each mobile and phone, e-mail, ID number, from the archive and its
history), then the exact occurrences replaced in Python on the few rows found.

A value is replaced wherever it occurs, also inside longer text: a search term "王芳 北京"
loses the name. A short name inside someone else's longer name in typed text ("王芳芳")
would lose those characters too; structured values (names in a payload, a recipient's
address) are matched whole."""

import json
from dataclasses import dataclass, field

from django.db.models import Q, TextField
from django.db.models.functions import Cast
from django.utils import timezone

from customers.models import AuditEntry, Customer, CustomerKind
from privacy.anonymisation.rules import _model, _plain

# Values shorter than this are not searched for (they would match everywhere).
MIN_LENGTH = 2
# Keys of an audit entry's detail about the person whose string values are personal.
PERSONAL_KEYS = frozenset(
    {"name", "mobile", "phone", "email", "id_number", "address", "street_address",
     "postal_code", "birthday", "wedding_anniversary", "character_notes"}
)  # fmt: skip
QUEUED = ("pending", "sending")


@dataclass
class Traces:
    """The rows to clean, found before anything is written."""

    pk: int = 0
    names: list[str] = field(default_factory=list)
    references: set[str] = field(default_factory=set)
    others: list[str] = field(default_factory=list)
    messages_about: list = field(default_factory=list)
    messages_mentioning: list = field(default_factory=list)
    deliveries: list = field(default_factory=list)
    audit: list = field(default_factory=list)
    import_dates: list[str] = field(default_factory=list)

    @property
    def values(self) -> list[str]:
        return [*self.names, *self.others]

    def counts(self) -> dict[str, int]:
        return {
            "outbox": len(self.messages_about) + len(self.messages_mentioning),
            "webhooks": len(self.deliveries),
            "audit_details": len(self.audit),
        }


def _old_values(customer: Customer) -> tuple[list[str], list[str]]:
    """Every name (of a person), mobile, phone, e-mail and ID number the archive and its
    history held, and the contact people's mobiles and e-mails."""
    fields = ["name", "mobile", "phone", "email", "id_number"]
    rows = [
        *Customer.all_objects.filter(pk=customer.pk).values_list(*fields),
        *Customer.history.model.objects.filter(id=customer.pk).values_list(*fields).distinct(),
    ]
    people = customer.contact_people.model.objects.filter(customer_id=customer.pk)
    names: set[str] = set()
    others: set[str] = set()
    for name, *rest in rows:
        if customer.kind == CustomerKind.INDIVIDUAL:
            names.add((name or "").strip())
        others.update((value or "").strip() for value in rest)
    for mobile, email in people.values_list("mobile", "email"):
        others.update({(mobile or "").strip(), (email or "").strip()})
    keep = lambda values: sorted(v for v in values if len(v) >= MIN_LENGTH)  # noqa: E731
    return keep(names), keep(others - names)


def _text_q(column: str, values: list[str]) -> Q:
    """Rows whose column's text holds one of the values, raw or as JSON writes it
    (SQLite stores JSON with non-ASCII escaped; PostgreSQL's jsonb prints it as is)."""
    q = Q()
    for value in values:
        for form in {value, json.dumps(value)[1:-1]}:
            q |= Q(**{f"{column}__contains": form})
    return q


def scrub_text(text: str, traces: Traces, *, name: str, other: str) -> str:
    for value in sorted(traces.names, key=len, reverse=True):
        text = text.replace(value, name)
    for value in sorted(traces.others, key=len, reverse=True):
        text = text.replace(value, other)
    return text


def scrub_json(value, traces: Traces, *, name: str, other: str, personal_keys=frozenset()):
    """The same structure with each old value replaced in every string (keys kept); the
    strings under `personal_keys` replaced whole."""
    if isinstance(value, dict):
        return {
            key: (
                other
                if key in personal_keys and isinstance(item, str) and item
                else scrub_json(item, traces, name=name, other=other, personal_keys=personal_keys)
            )
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [
            scrub_json(item, traces, name=name, other=other, personal_keys=personal_keys)
            for item in value
        ]
    if isinstance(value, str):
        return scrub_text(value, traces, name=name, other=other)
    return value


def _contains(text: str, traces: Traces) -> bool:
    return any(value in text for value in traces.values)


def find_traces(customer: Customer) -> Traces:
    """Read-only: the rows `clean_traces` will change (the plan counts them)."""
    pk = customer.pk
    traces = Traces(pk=pk)
    traces.names, traces.others = _old_values(customer)
    values = traces.values
    emails = {value for value in traces.others if "@" in value}

    message_model = _model("customers.OutboundMessage")
    about = Q()
    notification = _model("tiers.GradeNotification")
    if notification is not None:
        ids = notification.objects.filter(customer_id=pk).values_list("pk", flat=True)
        traces.references = {f"grade_notification:{id_}" for id_ in ids}
        if traces.references:
            about |= Q(reference__in=sorted(traces.references))
    if emails:
        about |= _text_q("recipients_text", sorted(emails))
    wanted = about | _text_q("body", values) | _text_q("subject", values)
    if wanted:
        messages = message_model.objects.annotate(
            recipients_text=Cast("recipients", TextField())
        ).filter(wanted)
        for message in messages.order_by("pk"):
            if message.reference in traces.references or emails & set(message.recipients):
                traces.messages_about.append(message)
            elif _contains(message.subject, traces) or _contains(message.body, traces):
                traces.messages_mentioning.append(message)

    delivery_model = _model("webhooks.Delivery")
    if delivery_model is not None:
        key = f'"customer":{{"id":{pk},'
        wanted = Q(body__contains=key) | _text_q("body", values)
        for delivery in delivery_model.objects.filter(wanted).order_by("created_at", "pk"):
            if key in delivery.body or _contains(delivery.body, traces):
                traces.deliveries.append(delivery)

    # About the person: those with a personal key, an old value or an import's id.
    linked = Q(detail_text__contains='"import"') | _text_q("detail_text", values)
    for key in PERSONAL_KEYS:
        linked |= Q(detail_text__contains=f'"{key}"')
    audit_text = Q(customer_id=pk) & linked | _text_q("detail_text", values)
    entries = (
        _plain(AuditEntry)
        .annotate(detail_text=Cast("detail", TextField()))
        .filter(audit_text)
        .order_by("pk")
    )
    for entry in entries:
        text = json.dumps(entry.detail, ensure_ascii=False)
        if entry.customer_id == pk:
            personal = _personal_values(entry.detail)
            if personal or _contains(text, traces):
                traces.audit.append(entry)
            if isinstance(entry.detail, dict) and "import" in entry.detail:
                traces.import_dates.append(entry.detail["import"])
        elif _contains(text, traces):
            traces.audit.append(entry)
    traces.import_dates = _import_dates(traces.import_dates)
    return traces


def _personal_values(detail) -> bool:
    if isinstance(detail, dict):
        return any(
            (key in PERSONAL_KEYS and isinstance(item, str) and item) or _personal_values(item)
            for key, item in detail.items()
        )
    if isinstance(detail, list):
        return any(_personal_values(item) for item in detail)
    return False


def _import_dates(job_ids: list) -> list[str]:
    """The upload dates of the imports that wrote the person and whose file is still
    stored (an uploaded file holds many people: it is not edited, it expires)."""
    job_model = _model("imports.ImportJob")
    ids = [job_id for job_id in job_ids if isinstance(job_id, int)]
    if job_model is None or not ids:
        return []
    jobs = job_model.objects.filter(pk__in=ids).exclude(file="").order_by("created_at")
    dates = {
        timezone.localtime(job.created_at).date().isoformat() for job in jobs.only("created_at")
    }
    return sorted(dates)


def clean_traces(traces: Traces, *, name: str, text: str, now) -> dict[str, int]:
    """Write: messages about the person emptied (and cancelled while queued), the
    person's values replaced in other messages, deliveries and audit details."""
    from django.conf import settings
    from django.utils import translation
    from django.utils.translation import gettext as _

    with translation.override(settings.LANGUAGE_CODE):
        cancelled = _("Cancelled: the recipient was anonymised.")
    for message in traces.messages_about:
        message.recipients = []
        message.subject = text
        message.body = text
        if message.status in QUEUED:
            message.status = "failed"
            message.next_attempt_at = None
            message.claimed_until = None
            message.last_error = cancelled
    for message in traces.messages_mentioning:
        message.subject = scrub_text(message.subject, traces, name=name, other=text)
        message.body = scrub_text(message.body, traces, name=name, other=text)
    messages = traces.messages_about + traces.messages_mentioning
    if messages:
        type(messages[0]).objects.bulk_update(
            messages,
            ["recipients", "subject", "body", "status", "next_attempt_at", "claimed_until",
             "last_error"],
            batch_size=500,
        )  # fmt: skip

    for delivery in traces.deliveries:
        delivery.body = _delivery_body(delivery.body, traces, name=name, text=text)
    if traces.deliveries:
        type(traces.deliveries[0]).objects.bulk_update(traces.deliveries, ["body"], batch_size=500)

    for entry in traces.audit:
        keys = PERSONAL_KEYS if entry.customer_id else frozenset()
        entry.detail = scrub_json(entry.detail, traces, name=name, other=text, personal_keys=keys)
        entry.object_repr = scrub_text(entry.object_repr, traces, name=name, other=text)
    if traces.audit:
        _plain(AuditEntry).bulk_update(traces.audit, ["detail", "object_repr"], batch_size=500)
    return {kind: count for kind, count in traces.counts().items() if count}


def _delivery_body(body: str, traces: Traces, *, name: str, text: str) -> str:
    """The payload with the person's customer object reduced to its id and a flag, and
    any other occurrence of their values replaced; the envelope (id, type, time) kept."""
    try:
        payload = json.loads(body)
    except ValueError:
        return scrub_text(body, traces, name=name, other=text)

    def reduce(value):
        if isinstance(value, dict):
            customer = value.get("customer")
            if isinstance(customer, dict) and customer.get("id") == traces.pk:
                value = {**value, "customer": {"id": customer["id"], "anonymised": True}}
            return {key: reduce(item) for key, item in value.items()}
        if isinstance(value, list):
            return [reduce(item) for item in value]
        if isinstance(value, str):
            return scrub_text(value, traces, name=name, other=text)
        return value

    return json.dumps(reduce(payload), ensure_ascii=False, separators=(",", ":"))
