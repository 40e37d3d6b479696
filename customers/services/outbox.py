"""Queueing messages in the outbox, inside the caller's transaction, and a manager's
"retry now".

Every e-mail the product sends is written here by the service or job that decides to
send it, in the same transaction as its change or its run's claim: the message commits
with the change or not at all, and no page or job fails because mail is down. Sending
starts when the transaction commits (a task per batch); the sweep, every minute, sends
whatever that missed (customers.services.outbox_sending)."""

import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.roles import require_manager
from customers.audit import audit_record
from customers.models import AuditAction, MessageChannel, MessageStatus, OutboundMessage

log = logging.getLogger(__name__)

# Messages per sending task (one mail-server connection each).
BATCH = 100
SUBJECT_MAX = 500


@dataclass(frozen=True)
class MessageDraft:
    """One message to queue: its recipients, subject and text, already in the words
    (and language) they will read; `reference` names the caller's row it is about."""

    recipients: list[str]
    subject: str
    body: str
    reference: str = ""


def _recipients(addresses: Iterable[str]) -> list[str]:
    seen: list[str] = []
    for address in addresses:
        address = (address or "").strip()
        if address and address not in seen:
            seen.append(address)
    return seen


def _subject(subject: str) -> str:
    # A line break in a subject is a header injection to the mail library, which would
    # refuse the message at every attempt: one line, always.
    return " ".join(str(subject).split())[:SUBJECT_MAX]


def _message_id_header() -> str:
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2].strip("<> ") or "localhost"
    return f"<outbox.{uuid.uuid4().hex}@{domain}>"


def messages_queue(
    *,
    kind: str,
    drafts: Iterable[MessageDraft],
    channel: str = MessageChannel.EMAIL,
    now=None,
    dispatch: bool = True,
) -> list[int]:
    """Write one outbox row per draft that has a recipient, with bulk INSERTs in the
    current transaction, and queue their sending for after the commit. Returns the ids
    of the messages written."""
    now = now or timezone.now()
    rows = []
    for draft in drafts:
        recipients = _recipients(draft.recipients)
        if not recipients:
            continue
        rows.append(
            OutboundMessage(
                channel=channel,
                kind=kind,
                reference=draft.reference[:100],
                recipients=recipients,
                subject=_subject(draft.subject),
                body=str(draft.body),
                message_id_header=_message_id_header(),
                status=MessageStatus.PENDING,
                next_attempt_at=now,
                created_at=now,
            )
        )
    if not rows:
        return []
    created = OutboundMessage.objects.bulk_create(rows, batch_size=1000)
    ids = [row.pk for row in created]
    if dispatch:
        transaction.on_commit(lambda: messages_dispatch(ids), robust=True)
    return ids


def message_queue(
    *,
    kind: str,
    recipients: Iterable[str],
    subject: str,
    body: str,
    reference: str = "",
    channel: str = MessageChannel.EMAIL,
    now=None,
) -> int | None:
    """Queue one message (see `messages_queue`). None when it has no recipient."""
    ids = messages_queue(
        kind=kind,
        drafts=[MessageDraft(list(recipients), subject, body, reference)],
        channel=channel,
        now=now,
    )
    return ids[0] if ids else None


def messages_dispatch(ids: list[int], *, manual: bool = False) -> None:
    """Queue the sending of `ids` in tasks of BATCH. A broker that is down costs
    nothing: the rows wait in the outbox for the sweep."""
    from customers.tasks import messages_send_task

    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        try:
            messages_send_task.delay(chunk, manual=manual)
        except Exception:  # the broker, or (eager) the database: the sweep sends them
            log.warning("Could not queue the sending of %s messages; the sweep will", len(chunk))


def message_retry_now(*, actor, message: OutboundMessage, now=None) -> bool:
    """A manager sends a waiting or failed message now (one more attempt, even past the
    limit). False when it is sent or being sent."""
    require_manager(actor)
    now = now or timezone.now()
    with transaction.atomic():
        queued = OutboundMessage.objects.filter(
            pk=message.pk, status__in=[MessageStatus.PENDING, MessageStatus.FAILED]
        ).update(status=MessageStatus.PENDING, next_attempt_at=now)
        if not queued:
            return False
        audit_record(
            actor=actor,
            action=AuditAction.CHANGE,
            obj=message,
            object_type="outbound_message",
            detail={"retry": True, "attempts": message.attempts, "kind": message.kind},
        )
        message_id = message.pk
        transaction.on_commit(lambda: messages_dispatch([message_id], manual=True), robust=True)
    return True


def messages_retry_failed(*, actor, now=None) -> int:
    """A manager sends every failed message again (after a long outage, once mail works
    again). Returns how many were queued."""
    require_manager(actor)
    now = now or timezone.now()
    with transaction.atomic():
        ids = list(
            OutboundMessage.objects.select_for_update()
            .filter(status=MessageStatus.FAILED)
            .values_list("pk", flat=True)
        )
        if not ids:
            return 0
        OutboundMessage.objects.filter(pk__in=ids, status=MessageStatus.FAILED).update(
            status=MessageStatus.PENDING, next_attempt_at=now
        )
        audit_record(
            actor=actor,
            action=AuditAction.CHANGE,
            obj=None,
            object_type="outbound_message",
            detail={"retry": True, "messages": len(ids)},
        )
        transaction.on_commit(lambda: messages_dispatch(ids, manual=True), robust=True)
    return len(ids)
