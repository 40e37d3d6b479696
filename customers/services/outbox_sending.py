"""Sending outbox messages: claim, send, record.

A message is claimed with a conditional UPDATE (status and due time re-checked by the
database under the row lock), so two workers or two sweeps never send it both; a claim
lasts `claim_seconds()`, after which a message whose worker died is due again. The mail
server is talked to outside any transaction, through Django's configured backend with
EMAIL_TIMEOUT, and a message is marked sent only once the server accepted it.

A server that refuses the recipients (5xx) or the message's content fails the message at
once; anything else (down, silent, disconnecting, refusing us) is retried with
exponential backoff until OUTBOX_MAX_ATTEMPTS, then the message is failed and shown so to
managers. The rare window between the server's acceptance and our record is the one
place a message can go twice: see `message_attempt`."""

import datetime
import logging
import random
import smtplib
import time
from dataclasses import dataclass

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from customers.models import MessageStatus, OutboundAttempt, OutboundMessage
from customers.signals import outbound_message_settled

log = logging.getLogger(__name__)

ERROR_MAX = 500


def max_attempts() -> int:
    return int(getattr(settings, "OUTBOX_MAX_ATTEMPTS", 13))


def email_timeout() -> float:
    return float(getattr(settings, "EMAIL_TIMEOUT", None) or 10)


def claim_seconds() -> int:
    """Long enough for one message's conversation (connect, greeting, MAIL, RCPT, DATA,
    each bounded by EMAIL_TIMEOUT) with room to spare."""
    return int(60 + 10 * email_timeout())


def backoff(attempt: int) -> datetime.timedelta:
    """The wait after failed attempt number `attempt` (1-based): base × 2^(n-1), at most
    OUTBOX_BACKOFF_MAX_SECONDS, with up to 10% jitter so that a mail server back from an
    outage is not hit by everything at once. With the defaults (60 s, 4 h, 13 attempts):
    1, 2, 4 … 128 minutes, then every 4 hours; the last attempt about 20 hours after the
    first."""
    base = float(getattr(settings, "OUTBOX_BACKOFF_BASE_SECONDS", 60))
    ceiling = float(getattr(settings, "OUTBOX_BACKOFF_MAX_SECONDS", 4 * 3600))
    seconds = min(base * 2 ** max(attempt - 1, 0), ceiling)
    return datetime.timedelta(seconds=seconds * (1 + random.random() / 10))  # noqa: S311


def due_filter(now: datetime.datetime) -> Q:
    return Q(status=MessageStatus.PENDING, next_attempt_at__lte=now) | Q(
        status=MessageStatus.SENDING, claimed_until__lt=now
    )


@dataclass
class Outcome:
    sent: bool
    error: str = ""
    # The server refused this message for good (its recipients, its content).
    permanent: bool = False
    # The trouble is the server's, not the message's (down, silent, refusing us): the
    # others in this run would meet it too, so the run stops.
    server_trouble: bool = False
    duration_ms: int = 0


def _smtp_code(error: BaseException) -> int | None:
    return getattr(error, "smtp_code", None)


def _outcome_of(error: BaseException) -> Outcome:
    """What an exception from the mail backend means for this message."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        answers = list(error.recipients.values())
        permanent = all(500 <= code < 600 for code, _text in answers)
        detail = "; ".join(
            f"{address}: {code} {_text(text)}" for address, (code, text) in error.recipients.items()
        )
        return Outcome(
            False,
            error=_("The mail server refused the recipients. %(detail)s") % {"detail": detail},
            permanent=permanent,
        )
    if isinstance(error, smtplib.SMTPDataError) and 500 <= (_smtp_code(error) or 0) < 600:
        return Outcome(
            False,
            error=_("The mail server refused the message: %(reason)s") % {"reason": error},
            permanent=True,
        )
    if isinstance(error, TimeoutError) or isinstance(error.__context__, TimeoutError):
        # (smtplib turns a timeout while reading an answer into SMTPServerDisconnected.)
        return Outcome(
            False,
            error=_("No answer from the mail server within %(s)s seconds.")
            % {"s": f"{email_timeout():g}"},
            server_trouble=True,
        )
    if isinstance(error, smtplib.SMTPResponseException):
        return Outcome(
            False,
            error=_("The mail server answered %(code)s: %(reason)s")
            % {"code": error.smtp_code, "reason": _text(error.smtp_error)},
            server_trouble=True,
        )
    if isinstance(error, OSError):  # refused, unreachable, disconnected, TLS
        return Outcome(
            False,
            error=_("Could not reach the mail server: %(reason)s") % {"reason": error},
            server_trouble=True,
        )
    # Anything else is about this message (a header the mail library refuses …):
    # tried again, then failed and shown to managers.
    return Outcome(
        False, error=f"{type(error).__name__}: {error}", permanent=isinstance(error, ValueError)
    )


def _text(value) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


class Mailer:
    """One connection to the mail backend for a run of messages, opened when first
    needed and opened again after an error (the old one may be broken)."""

    def __init__(self):
        self.connection = None

    def __enter__(self) -> "Mailer":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self.connection is not None:
            try:
                self.connection.close()
            except Exception:  # already gone: nothing to tidy
                log.debug("Closing the mail connection failed", exc_info=True)
            self.connection = None

    def send(self, message: OutboundMessage) -> Outcome:
        started = time.monotonic()

        def took() -> int:
            return int((time.monotonic() - started) * 1000)

        try:
            if self.connection is None:
                self.connection = get_connection(fail_silently=False)
                self.connection.open()
            email = EmailMessage(
                subject=message.subject,
                body=message.body,
                to=list(message.recipients),
                headers={"Message-ID": message.message_id_header},
                connection=self.connection,
            )
            accepted = email.send()
        except SoftTimeLimitExceeded:
            # The task's time is up: the message keeps its claim and, once that runs out,
            # the sweep takes it again (we cannot know whether the server accepted it).
            raise
        except Exception as error:  # every transport error is recorded on the message
            self.close()
            outcome = _outcome_of(error)
            outcome.duration_ms = took()
            return outcome
        if not accepted:
            return Outcome(False, error=_("The mail server accepted nothing."), duration_ms=took())
        return Outcome(True, duration_ms=took())


def _claim(message_id: int, *, now: datetime.datetime, manual: bool) -> int | None:
    """Take the message if it is due (or, `manual`, whenever it is waiting or failed).
    Returns the attempt number, or None when someone else has it or it is done."""
    condition = due_filter(now)
    if manual:
        condition |= Q(status__in=[MessageStatus.PENDING, MessageStatus.FAILED])
    claimed = OutboundMessage.objects.filter(condition, pk=message_id).update(
        status=MessageStatus.SENDING,
        claimed_until=now + datetime.timedelta(seconds=claim_seconds()),
        attempts=F("attempts") + 1,
        last_attempt_at=now,
    )
    if not claimed:
        return None
    return OutboundMessage.objects.filter(pk=message_id).values_list("attempts", flat=True).first()


@dataclass
class AttemptResult:
    message_id: int
    outcome: Outcome
    status: str


def message_attempt(
    *,
    message_id: int,
    mailer: Mailer,
    now: datetime.datetime | None = None,
    manual: bool = False,
) -> AttemptResult | None:
    """Claim the message and send it once. None when it was not due (already sent,
    claimed by another worker, or failed and not retried by hand).

    Exactly once, as far as SMTP allows: the claim keeps every other sender off while
    this one talks to the server, and the message is marked sent right after the server
    accepted it. If the process dies between that acceptance and the mark, the claim
    runs out and the sweep sends the message again, with the same Message-ID header."""
    now = now or timezone.now()
    attempt = _claim(message_id, now=now, manual=manual)
    if attempt is None:
        return None
    message = OutboundMessage.objects.get(pk=message_id)
    outcome = mailer.send(message)
    finished = now + datetime.timedelta(milliseconds=outcome.duration_ms)
    if outcome.sent:
        values = {"status": MessageStatus.SENT, "sent_at": finished, "next_attempt_at": None}
    elif outcome.permanent or attempt >= max_attempts():
        values = {"status": MessageStatus.FAILED, "next_attempt_at": None}
    else:
        values = {"status": MessageStatus.PENDING, "next_attempt_at": now + backoff(attempt)}
    values["last_error"] = outcome.error[:ERROR_MAX]
    with transaction.atomic():
        OutboundAttempt.objects.create(
            message_id=message_id,
            number=attempt,
            started_at=now,
            duration_ms=outcome.duration_ms,
            sent=outcome.sent,
            error=outcome.error[:ERROR_MAX],
            manual=manual,
        )
        # Only while the claim is still ours (a worker that overran its claim records
        # nothing over a newer attempt's result).
        recorded = OutboundMessage.objects.filter(
            pk=message_id, status=MessageStatus.SENDING, attempts=attempt
        ).update(claimed_until=None, **values)
        if recorded and values["status"] in (MessageStatus.SENT, MessageStatus.FAILED):
            for key, value in values.items():
                setattr(message, key, value)
            message.attempts = attempt
            outbound_message_settled.send(sender=OutboundMessage, message=message)
    if not outcome.sent:
        log.info("Outgoing message %s attempt %s failed: %s", message_id, attempt, outcome.error)
    return AttemptResult(message_id, outcome, values["status"])


@dataclass
class SendResult:
    attempted: int = 0
    sent: int = 0
    # The run stopped early because the mail server is down or silent.
    server_trouble: str = ""


def _send_each(message_ids, *, now, manual, started, time_budget_seconds) -> SendResult:
    result = SendResult()
    with Mailer() as mailer:
        for message_id in message_ids:
            if time.monotonic() - started > time_budget_seconds:
                break
            attempted = message_attempt(
                message_id=message_id, mailer=mailer, now=now or timezone.now(), manual=manual
            )
            if attempted is None:
                continue
            result.attempted += 1
            if attempted.outcome.sent:
                result.sent += 1
            elif attempted.outcome.server_trouble:
                # The others would wait on the same server: they stay due for the sweep.
                result.server_trouble = attempted.outcome.error
                break
    return result


def messages_send(*, message_ids, manual: bool = False, time_budget_seconds=240.0) -> SendResult:
    """Send these (the task queued when they were committed, or a manager's retry);
    each only if due (or, `manual`, waiting or failed). Within the tasks' default soft
    time limit (5 minutes): what is left when the budget runs out waits for the sweep."""
    return _send_each(
        message_ids,
        now=None,
        manual=manual,
        started=time.monotonic(),
        time_budget_seconds=time_budget_seconds,
    )


def messages_send_due(
    *,
    now: datetime.datetime | None = None,
    limit: int = 500,
    time_budget_seconds: float = 50.0,
) -> SendResult:
    """The sweep: send what is due (new messages whose task never ran, retries whose time
    has come, claims of dead workers), oldest due first, at most `limit` and for at most
    `time_budget_seconds` (it runs every minute). Stops at the first sign that the mail
    server is down: the next run tries again."""
    started = time.monotonic()
    candidates = list(
        OutboundMessage.objects.filter(due_filter(now or timezone.now()))
        .order_by("next_attempt_at", "created_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    return _send_each(
        candidates,
        now=now,
        manual=False,
        started=started,
        time_budget_seconds=time_budget_seconds,
    )


def messages_prune(*, now: datetime.datetime | None = None, batch: int = 5000) -> int:
    """Forget sent and failed messages older than OUTBOX_KEEP_DAYS, a batch per run."""
    now = now or timezone.now()
    before = now - datetime.timedelta(days=int(getattr(settings, "OUTBOX_KEEP_DAYS", 90)))
    old = list(
        OutboundMessage.objects.filter(
            created_at__lt=before, status__in=[MessageStatus.SENT, MessageStatus.FAILED]
        ).values_list("pk", flat=True)[:batch]
    )
    if not old:
        return 0
    OutboundAttempt.objects.filter(message_id__in=old).delete()
    deleted, _by_model = OutboundMessage.objects.filter(pk__in=old).delete()
    return deleted
