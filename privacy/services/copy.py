"""The copy of everything held about a person (PIPL Art. 45).

What is "everything" is not a hand-kept list: every model with a foreign key to
customers.Customer is found at run time (so a model added later is in the copy without
anyone remembering it), with the rows of models that hang off those (points ledger
entries under the points card, the tour group of a booking, the alert of a complaint)
and the archive's own change history. A reference to another customer is left out, so
nothing of another person goes into the copy; staff are named by their display name.

The ID number is decrypted here only: it is the person's own, and the copy is a private
file, downloaded once (the download removes it from the server)."""

import datetime
import decimal
import hashlib
import io
import json
import logging
import zipfile
from dataclasses import dataclass, field

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.translation import gettext_lazy as _

from customers.audit import audit_record
from customers.models import AuditAction, Customer
from customers.models.fields import BlindIndexField
from privacy.models import CopyStatus, RequestKind, RequestStatus, RightsCopy, RightsRequest
from privacy.selectors_requests import rights_requests_allowed

log = logging.getLogger(__name__)

NOT_A_COPY_REQUEST = _("Only a request for a copy makes a copy.")
REQUEST_CLOSED = _("This request is closed; register a new one for a new copy.")
ALREADY_MAKING = _("A copy is already being made for this request.")
ALREADY_DOWNLOADED = _(
    "This copy has already been downloaded once and is no longer kept on the server. "
    "Make a new copy if another is needed."
)
NOT_READY = _("This copy is not ready yet.")
FAILED = _("The copy could not be made; please tell the administrator.")
DISCARDED = _(
    "The person was anonymised: this copy held their former details and has been removed."
)

# Fields that say nothing to the person: a keyed hash, and search helpers derived from
# the name. The audit log's free detail and the staff member's network address describe
# staff work, not the person (they are in the audit log, which the agency keeps).
OMITTED_FIELDS = {
    "customers.Customer": {"id_number_index", "name_normalised", "name_initials"},
    "customers.AuditEntry": {"detail", "ip_address", "object_id"},
}


@dataclass
class Section:
    key: str
    title: str
    columns: list[tuple[str, str]]
    rows: list[dict] = field(default_factory=list)  # name -> (json value, display text)


def customer_models() -> list[tuple[type[models.Model], str]]:
    """Every model with a concrete foreign key to Customer, and the field's name."""
    found = []
    for model in apps.get_models():
        for model_field in model._meta.concrete_fields:
            if model_field.is_relation and model_field.related_model is Customer:
                found.append((model, model_field.name))
    return found


def _second_level(direct: dict) -> list[tuple[type[models.Model], str]]:
    """Models pointing to a model of the person's (a card, a booking, a complaint): the
    lookup path from them to the customer."""
    found = []
    for model in apps.get_models():
        if model in direct or model is Customer:
            continue
        for model_field in model._meta.concrete_fields:
            target = model_field.related_model if model_field.is_relation else None
            if target in direct and target is not Customer:
                found.append((model, f"{model_field.name}__{direct[target]}"))
                break
    return found


def _json(value):
    if isinstance(value, datetime.datetime):
        return (timezone.localtime(value) if timezone.is_aware(value) else value).isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, (str, int, float, bool, list, dict)) or value is None:
        return value
    return str(value)


def _display(value) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    if isinstance(value, datetime.datetime):
        return formats.date_format(timezone.localtime(value), "Y-m-d H:i")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _columns(model, skip: set[str]) -> list[models.Field]:
    omitted = OMITTED_FIELDS.get(model._meta.label, set())
    return [
        f
        for f in model._meta.concrete_fields
        if f.name not in skip and f.name not in omitted and not isinstance(f, BlindIndexField)
    ]


def _row(obj, fields, subject: Customer) -> dict:
    user_model = get_user_model()
    row = {}
    for model_field in fields:
        if model_field.is_relation:
            related = getattr(obj, model_field.name)
            if related is None or model_field.related_model is Customer:
                # Another customer is another person: never in this one's copy.
                row[model_field.name] = (None, "")
                continue
            text = related.display_name if isinstance(related, user_model) else str(related)
            row[model_field.name] = (text, text)
            continue
        value = getattr(obj, model_field.attname)
        if isinstance(model_field, models.FileField):
            value = value.name if value else ""
        if model_field.choices and value not in (None, ""):
            text = str(dict(model_field.flatchoices).get(value, value))
        else:
            text = _display(value)
        row[model_field.name] = (_json(value), text)
    return row


HISTORY_TITLE = _("%(records)s: history of changes")


def _title(model) -> str:
    """A history table (simple-history) reads as the history of what it records."""
    name = model.__name__
    if name.startswith("Historical") and "_" in name:  # a many-to-many field's history
        parent_name, field_name = name[len("Historical") :].split("_", 1)
        try:
            parent = apps.get_model(model._meta.app_label, parent_name)
            records = parent._meta.get_field(field_name).verbose_name
        except (LookupError, FieldDoesNotExist):
            records = model._meta.verbose_name_plural
        return HISTORY_TITLE % {"records": records}
    instance_type = getattr(model, "instance_type", None)
    if instance_type is not None:
        return HISTORY_TITLE % {"records": instance_type._meta.verbose_name_plural}
    return str(model._meta.verbose_name_plural)


def _section(model, queryset, subject, *, skip=frozenset(), key=None) -> Section:
    fields = _columns(model, set(skip))
    relations = [f.name for f in fields if f.is_relation and f.related_model is not Customer]
    rows = [
        _row(obj, fields, subject) for obj in queryset.select_related(*relations).order_by("pk")
    ]
    return Section(
        key=key or model._meta.label,
        title=_title(model),
        columns=[(f.name, str(f.verbose_name)) for f in fields],
        rows=rows,
    )


def copy_sections(*, customer: Customer) -> list[Section]:
    """Everything held about `customer`, one section per kind of record."""
    subject = Customer.all_objects.get(pk=customer.pk)
    archive = _section(Customer, Customer.all_objects.filter(pk=subject.pk), subject)
    archive.rows[0]["tags"] = (
        [str(tag) for tag in subject.tags.all()],
        "、".join(str(tag) for tag in subject.tags.all()),
    )
    destinations = [str(d) for d in subject.desired_destinations.all()]
    archive.rows[0]["desired_destinations"] = (destinations, "、".join(destinations))
    archive.columns += [
        (name, str(Customer._meta.get_field(name).verbose_name))
        for name in ("tags", "desired_destinations")
    ]
    sections = [archive]
    history = Customer.history.model
    sections.append(_section(history, history.objects.filter(id=subject.pk), subject, skip={"id"}))
    direct = dict(customer_models())
    direct_sections = []
    for model, field_name in direct.items():
        rows = model._default_manager.filter(**{field_name: subject})
        direct_sections.append(_section(model, rows, subject, skip={field_name}))
    for model, path in _second_level(direct):
        rows = model._default_manager.filter(**{path: subject})
        direct_sections.append(_section(model, rows, subject))
    direct_sections.sort(key=lambda s: s.key)
    return sections + direct_sections


def copy_document(*, customer: Customer, sections: list[Section], now) -> tuple[bytes, bytes]:
    """The JSON for machines and the HTML for people, from the same sections."""
    machine = {
        "person": {"id": customer.pk, "name": customer.name},
        "generated_at": timezone.localtime(now).isoformat(),
        "sections": {
            s.key: {
                "title": s.title,
                "rows": [{name: value[0] for name, value in row.items()} for row in s.rows],
            }
            for s in sections
        },
    }
    readable = render_to_string(
        "privacy/requests/copy_document.html",
        {
            "customer": customer,
            "now": now,
            "sections": [
                {
                    "key": s.key,
                    "title": s.title,
                    "rows": [
                        [(label, row.get(name, (None, ""))[1]) for name, label in s.columns]
                        for row in s.rows
                    ],
                }
                for s in sections
            ],
            "LANGUAGE_CODE": translation.get_language(),
        },
    )
    return (
        json.dumps(machine, ensure_ascii=False, indent=2).encode(),
        readable.encode(),
    )


def _require(actor) -> None:
    if not rights_requests_allowed(actor):
        raise PermissionDenied


def rights_copy_start(*, actor, rights_request: RightsRequest, language: str) -> RightsCopy:
    """Queue the making of a copy; the page shows it waiting, being made, then ready."""
    from privacy.tasks import rights_copy_make

    _require(actor)
    if rights_request.kind != RequestKind.COPY:
        raise ValidationError(NOT_A_COPY_REQUEST)
    if rights_request.status != RequestStatus.OPEN:
        raise ValidationError(REQUEST_CLOSED)
    with transaction.atomic():
        RightsRequest.objects.select_for_update().get(pk=rights_request.pk)
        if RightsCopy.objects.filter(
            request=rights_request, status__in=[CopyStatus.QUEUED, CopyStatus.RUNNING]
        ).exists():
            raise ValidationError(ALREADY_MAKING)
        copy = RightsCopy.objects.create(
            request=rights_request, requested_by=actor, language=language[:10]
        )
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=copy,
            customer=rights_request.customer,
            detail={"request": rights_request.pk, "step": "asked"},
        )
        copy_id = copy.pk
        transaction.on_commit(lambda: rights_copy_make.delay(copy_id))
    return copy


def rights_copy_make_now(*, copy_id: int, now: datetime.datetime | None = None) -> str:
    """The background step: claims the queued copy (a second run does nothing), makes
    the two files, keeps them as one ZIP in the private storage. Returns the status."""
    claimed = RightsCopy.objects.filter(pk=copy_id, status=CopyStatus.QUEUED).update(
        status=CopyStatus.RUNNING
    )
    if not claimed:
        return RightsCopy.objects.values_list("status", flat=True).get(pk=copy_id)
    copy = RightsCopy.objects.select_related("request__customer", "requested_by").get(pk=copy_id)
    customer = copy.request.customer
    now = now or timezone.now()
    try:
        with translation.override(copy.language):
            sections = copy_sections(customer=customer)
            machine, readable = copy_document(customer=customer, sections=sections, now=now)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("personal-information.json", machine)
            archive.writestr("personal-information.html", readable)
        content = buffer.getvalue()
        counts = {s.key: len(s.rows) for s in sections}
        copy.file.save("copy.zip", ContentFile(content), save=False)
        copy.sha256 = hashlib.sha256(content).hexdigest()
        with transaction.atomic():
            # Conditional: a copy discarded meanwhile (the person was anonymised while it
            # was being made) stays discarded, and its file does not stay on the server.
            written = RightsCopy.objects.filter(pk=copy_id, status=CopyStatus.RUNNING).update(
                file=copy.file.name,
                sha256=copy.sha256,
                size=len(content),
                sections=counts,
                status=CopyStatus.READY,
                generated_at=now,
            )
            if written:
                audit_record(
                    actor=copy.requested_by,
                    action=AuditAction.EXPORT,
                    obj=copy,
                    customer=customer,
                    detail={
                        "request": copy.request_id,
                        "step": "made",
                        "sha256": copy.sha256,
                        "records": sum(counts.values()),
                    },
                )
        if not written:
            copy.file.storage.delete(copy.file.name)
            return RightsCopy.objects.values_list("status", flat=True).get(pk=copy_id)
    except Exception:
        log.exception("Copy %s of customer %s failed", copy_id, customer.pk)
        RightsCopy.objects.filter(pk=copy_id).update(status=CopyStatus.FAILED, error=str(FAILED))
        if copy.file:
            copy.file.storage.delete(copy.file.name)
        return CopyStatus.FAILED
    return CopyStatus.READY


def rights_copy_download(
    *, actor, copy: RightsCopy, now: datetime.datetime | None = None
) -> tuple[bytes, str]:
    """The one download: marks the copy downloaded (a conditional update, so two clicks
    at once give one file), reads it and removes it from the server once committed."""
    _require(actor)
    now = now or timezone.now()
    if copy.status == CopyStatus.DOWNLOADED:
        raise ValidationError(ALREADY_DOWNLOADED)
    with transaction.atomic():
        taken = RightsCopy.objects.filter(pk=copy.pk, status=CopyStatus.READY).update(
            status=CopyStatus.DOWNLOADED, downloaded_by=actor, downloaded_at=now
        )
        if not taken:
            current = RightsCopy.objects.values_list("status", flat=True).get(pk=copy.pk)
            raise ValidationError(
                ALREADY_DOWNLOADED if current == CopyStatus.DOWNLOADED else NOT_READY
            )
        name = copy.file.name
        with copy.file.storage.open(name, "rb") as handle:
            content = handle.read()
        RightsCopy.objects.filter(pk=copy.pk).update(file="")
        audit_record(
            actor=actor,
            action=AuditAction.DOWNLOAD,
            obj=copy,
            customer=copy.request.customer,
            detail={"request": copy.request_id, "sha256": copy.sha256},
        )
        storage = copy.file.storage
        transaction.on_commit(lambda: storage.delete(name))
    filename = f"personal-information-{copy.request.customer_id}-{now:%Y%m%d}.zip"
    return content, filename


def rights_copies_discard(*, customer: Customer) -> int:
    """The person is being anonymised (inside that transaction): a copy waiting, being
    made or ready to download holds their former details, the decrypted ID number
    included. Each is marked failed with the reason and its file removed once committed;
    a copy already being made is not written afterwards (rights_copy_make_now)."""
    copies = RightsCopy.objects.filter(
        request__customer_id=customer.pk,
        status__in=[CopyStatus.QUEUED, CopyStatus.RUNNING, CopyStatus.READY],
    )
    names = [name for name in copies.values_list("file", flat=True) if name]
    count = RightsCopy.objects.filter(pk__in=list(copies.values_list("pk", flat=True))).update(
        status=CopyStatus.FAILED, error=str(DISCARDED), file=""
    )
    storage = RightsCopy._meta.get_field("file").storage

    def remove():
        for name in names:
            storage.delete(name)

    transaction.on_commit(remove)
    return count
