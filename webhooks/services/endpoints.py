"""Managers' actions on endpoints and deliveries. Each is audited."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import require_manager
from customers.audit import audit_record
from customers.models import AuditAction
from webhooks.models import (
    SUBSCRIBABLE_EVENTS,
    Delivery,
    DeliveryStatus,
    Endpoint,
    WebhookEvent,
)
from webhooks.safety import url_check
from webhooks.services.outbox import deliveries_dispatch, listeners_forget, outbox_write
from webhooks.signing import secret_generate


def _clean(*, name: str, url: str, events) -> tuple[str, str, list[str]]:
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    url = (url or "").strip()
    if not name:
        errors["name"] = [_("Give the endpoint a name.")]
    try:
        url_check(url)
    except ValidationError as error:
        errors["url"] = error.messages
    chosen = sorted({str(event) for event in events or []})
    allowed = {str(event) for event in SUBSCRIBABLE_EVENTS}
    if not chosen:
        errors["events"] = [_("Choose at least one event.")]
    elif not set(chosen) <= allowed:
        errors["events"] = [_("Choose events from the list.")]
    if errors:
        raise ValidationError(errors)
    return name, url, chosen


def endpoint_create(*, actor, name: str, url: str, events) -> tuple[Endpoint, str]:
    """Register an endpoint with a new signing secret. Returns it and the secret, which
    the page shows once."""
    require_manager(actor)
    name, url, events = _clean(name=name, url=url, events=events)
    secret = secret_generate()
    with transaction.atomic():
        endpoint = Endpoint.objects.create(
            name=name,
            url=url,
            events=events,
            secret=secret,
            created_by=actor,
            secret_created_at=timezone.now(),
        )
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=endpoint,
            object_type="webhook_endpoint",
            detail={"url": url, "events": events},
        )
        listeners_forget()
    return endpoint, secret


def endpoint_update(
    *, actor, endpoint: Endpoint, name: str, url: str, events, is_active: bool
) -> Endpoint:
    require_manager(actor)
    name, url, events = _clean(name=name, url=url, events=events)
    with transaction.atomic():
        locked = Endpoint.objects.select_for_update().get(pk=endpoint.pk)
        before = {
            "name": locked.name,
            "url": locked.url,
            "events": locked.events,
            "is_active": locked.is_active,
        }
        after = {"name": name, "url": url, "events": events, "is_active": bool(is_active)}
        changed = {
            key: [before[key], value] for key, value in after.items() if before[key] != value
        }
        for key, value in after.items():
            setattr(locked, key, value)
        locked.save()
        if changed:
            audit_record(
                actor=actor,
                action=AuditAction.CHANGE,
                obj=locked,
                object_type="webhook_endpoint",
                detail=changed,
            )
        listeners_forget()
    return locked


def endpoint_set_active(*, actor, endpoint: Endpoint, active: bool) -> Endpoint:
    """Disable (nothing more is written or sent to it; what waits stays in the log and
    goes out when it is enabled again) or enable an endpoint. Disabling always works;
    enabling checks the address again."""
    require_manager(actor)
    if active:
        try:
            url_check(endpoint.url)
        except ValidationError as error:
            raise ValidationError({"url": error.messages}) from error
    with transaction.atomic():
        locked = Endpoint.objects.select_for_update().get(pk=endpoint.pk)
        if locked.is_active != active:
            locked.is_active = active
            locked.save(update_fields=["is_active", "updated_at"])
            audit_record(
                actor=actor,
                action=AuditAction.CHANGE,
                obj=locked,
                object_type="webhook_endpoint",
                detail={"is_active": [not active, active]},
            )
        listeners_forget()
    return locked


def endpoint_secret_regenerate(*, actor, endpoint: Endpoint) -> str:
    """A new signing secret, in force at once (the old one signs nothing more)."""
    require_manager(actor)
    secret = secret_generate()
    with transaction.atomic():
        Endpoint.objects.filter(pk=endpoint.pk).update(
            secret=secret, secret_created_at=timezone.now(), updated_at=timezone.now()
        )
        audit_record(
            actor=actor,
            action=AuditAction.CHANGE,
            obj=endpoint,
            object_type="webhook_endpoint",
            detail={"secret": "regenerated"},
        )
    return secret


def endpoint_send_test(
    *, actor, endpoint: Endpoint, now: datetime.datetime | None = None
) -> Delivery:
    """A `ping` delivery to this endpoint, sent at once (through the task queue)."""
    require_manager(actor)
    if not endpoint.is_active:
        raise ValidationError(_("The endpoint is disabled; enable it first."))
    now = now or timezone.now()
    with transaction.atomic():
        (delivery_id,) = outbox_write(
            event=WebhookEvent.PING,
            items=[
                {
                    "endpoint": {"id": endpoint.pk, "name": endpoint.name},
                    "message": "This is a test event from the travel CRM.",
                }
            ],
            now=now,
            endpoints=[endpoint],
            dispatch=True,
        )
        audit_record(
            actor=actor,
            action=AuditAction.CHANGE,
            obj=endpoint,
            object_type="webhook_endpoint",
            detail={"test_event": str(delivery_id)},
        )
    return Delivery.objects.get(pk=delivery_id)


def delivery_retry_now(*, actor, delivery: Delivery, now: datetime.datetime | None = None) -> bool:
    """Send a waiting or failed delivery now (one more attempt, even past the limit).
    False when it is delivered or being sent."""
    require_manager(actor)
    if not delivery.endpoint.is_active:
        raise ValidationError(_("The endpoint is disabled; enable it first."))
    now = now or timezone.now()
    with transaction.atomic():
        queued = Delivery.objects.filter(
            pk=delivery.pk, status__in=[DeliveryStatus.PENDING, DeliveryStatus.FAILED]
        ).update(status=DeliveryStatus.PENDING, next_attempt_at=now)
        if not queued:
            return False
        audit_record(
            actor=actor,
            action=AuditAction.CHANGE,
            obj=delivery,
            object_type="webhook_delivery",
            detail={"retry": True, "attempts": delivery.attempts},
        )
        delivery_id = delivery.pk
        transaction.on_commit(lambda: deliveries_dispatch([delivery_id], manual=True), robust=True)
    return True
