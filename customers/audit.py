"""Writing the audit log. Services record the changes they make; views record views and
exports. Where the request came from is taken from a context variable that
AuditOriginMiddleware sets, so services need not carry the request around."""

import contextvars
from functools import cache
from typing import Any

from django.apps import apps
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from customers.models import AuditAction, AuditEntry, Customer

_UNSET = object()
_origin_ip: contextvars.ContextVar[str | None] = contextvars.ContextVar("audit_ip", default=None)


def client_ip(request) -> str | None:
    """REMOTE_ADDR, or behind trusted proxies the address the outermost of them saw: the
    AUDIT_TRUSTED_PROXY_COUNT-th hop of X-Forwarded-For from the right. The hops left of
    it are the client's own words and never believed."""
    if settings.AUDIT_TRUST_X_FORWARDED_FOR:
        hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        hops = [hop for hop in hops if hop]
        if len(hops) >= settings.AUDIT_TRUSTED_PROXY_COUNT:
            return hops[-settings.AUDIT_TRUSTED_PROXY_COUNT]
    return request.META.get("REMOTE_ADDR") or None


# What an entry's object_type reads as, for the types that are not a model's name (a
# list, a report, a door); a model's name reads as the model's verbose name. Stored in
# no language, shown in the reader's (the admin's audit log column and filter).
OBJECT_TYPE_LABELS = {
    "customer_list": _("customer list"),
    "booking_list": _("booking list"),
    "contact_person_list": _("contact person list"),
    "followup_list": _("follow-up list"),
    "reward_list": _("reward list"),
    "catalogue_mailing": _("catalogue mailing"),
    "custody_policy": _("custody policy"),
    "api_token": _("API token"),
    "service_account": _("service account"),
    "import": _("spreadsheet import"),
    "import_refused_rows": _("refused rows of an import"),
    "loyalty_annual_reward": _("annual reward"),
    "loyalty_card": _("points card"),
    "loyalty_liability": _("points liability"),
    "loyalty_redemption": _("points redemption"),
    "loyalty_statement": _("points statement"),
    "monthly_statistics": _("monthly statistics"),
    "outbound_message": _("outgoing message"),
    "sign_in": _("sign-in"),
    "tier_evaluation": _("tier evaluation"),
    "tier_report": _("tier report"),
    "webhook_delivery": _("webhook delivery"),
    "webhook_endpoint": _("webhook endpoint"),
}


def audit_object_type_label(object_type: str) -> str:
    """The object type of an audit entry in the reader's language."""
    if object_type in OBJECT_TYPE_LABELS:
        return str(OBJECT_TYPE_LABELS[object_type])
    for model in apps.get_models():
        if model._meta.model_name == object_type:
            return str(model._meta.verbose_name)
    return object_type


class AuditOriginMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _origin_ip.set(client_ip(request))
        try:
            return self.get_response(request)
        finally:
            _origin_ip.reset(token)


@cache
def _new_entry():
    """AuditEntry(…) without the constructor's walk over every field per entry (a copy
    of one it made: customers.bulk_writing.new_instances); a chunk of 1,000 synced
    bookings built 1,000 entries."""
    from customers.bulk_writing import new_instances

    return new_instances(AuditEntry)


def _entry(*, actor, action, obj, customer, object_type, detail, ip=_UNSET) -> AuditEntry:
    if customer is None:
        if isinstance(obj, Customer):
            customer = obj
        elif obj is not None and isinstance(getattr(obj, "customer", None), Customer):
            customer = obj.customer
    if not object_type:
        object_type = obj._meta.model_name if obj is not None else "customer_list"
    return _new_entry()(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        object_type=object_type,
        object_id=str(getattr(obj, "pk", "") or ""),
        object_repr=str(obj)[:200] if obj is not None else "",
        customer=customer,
        ip_address=_origin_ip.get() if ip is _UNSET else ip,
        detail=detail or {},
    )


def audit_record(
    *,
    actor,
    action: AuditAction | str,
    obj: Any = None,
    customer: Customer | None = None,
    object_type: str = "",
    detail: dict | None = None,
) -> AuditEntry:
    """Write exactly one audit entry. `obj` is the thing acted on (a customer, a booking,
    a list); `customer` is filled from it when it is or belongs to a customer."""
    entry = _entry(
        actor=actor,
        action=action,
        obj=obj,
        customer=customer,
        object_type=object_type,
        detail=detail,
    )
    entry.save()
    return entry


def audit_entries_build(
    *, actor, action: AuditAction | str, items: list[tuple[Any, dict]]
) -> list[AuditEntry]:
    """The unsaved entries audit_record_many writes, for a writer that inserts them with
    its own statement (the importer's one INSERT per chunk on PostgreSQL)."""
    ip = _origin_ip.get()  # one request (or none) for the whole list
    return [
        _entry(
            actor=actor,
            action=action,
            obj=obj,
            customer=None,
            object_type="",
            detail=detail,
            ip=ip,
        )
        for obj, detail in items
    ]


def audit_record_many(*, actor, action: AuditAction | str, items: list[tuple[Any, dict]]) -> int:
    """One entry per (object, detail) pair, written in one statement (handovers)."""
    entries = audit_entries_build(actor=actor, action=action, items=items)
    AuditEntry.objects.bulk_create(entries, batch_size=1000)
    return len(entries)
