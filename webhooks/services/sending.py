"""Sending deliveries: claim, sign, POST, record.

A delivery is claimed with a conditional UPDATE (status and due time re-checked by the
database under the row lock), so two workers or two sweeps never send it both; a claim
lasts CLAIM_SECONDS, after which a delivery whose worker died is due again. The network
call happens outside any transaction. 2xx is delivered; anything else (an error, a
timeout, a redirect, another status) is retried with exponential backoff until
WEBHOOKS_MAX_ATTEMPTS, then the delivery is failed and shown so to managers."""

import datetime
import logging
import random
import time
from dataclasses import dataclass, field

import requests
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from webhooks.models import Delivery, DeliveryAttempt, DeliveryStatus
from webhooks.safety import UnsafeDestination, checked_session, url_check
from webhooks.signing import signature

log = logging.getLogger(__name__)

USER_AGENT = "TravelCRM-Webhooks/1"
EXCERPT = 500


def _setting(name: str, default):
    return getattr(settings, name, default)


def max_attempts() -> int:
    return int(_setting("WEBHOOKS_MAX_ATTEMPTS", 8))


def timeouts() -> tuple[float, float]:
    return (
        float(_setting("WEBHOOKS_CONNECT_TIMEOUT", 3.0)),
        float(_setting("WEBHOOKS_READ_TIMEOUT", 10.0)),
    )


def claim_seconds() -> int:
    connect, read = timeouts()
    return int(connect + 2 * read + 60)


def backoff(attempt: int) -> datetime.timedelta:
    """The wait after failed attempt number `attempt` (1-based): base × 3^(n-1), with up
    to 10% jitter so that a receiver back from an outage is not hit by everything at
    once. With the defaults (60 s, 8 attempts): 1, 3, 9, 27, 81, 243 and 729 minutes,
    the last attempt about 18 hours after the first."""
    base = float(_setting("WEBHOOKS_BACKOFF_BASE_SECONDS", 60))
    seconds = base * 3 ** max(attempt - 1, 0)
    return datetime.timedelta(seconds=seconds * (1 + random.random() / 10))  # noqa: S311


def due_filter(now: datetime.datetime) -> Q:
    return Q(status=DeliveryStatus.PENDING, next_attempt_at__lte=now) | Q(
        status=DeliveryStatus.SENDING, claimed_until__lt=now
    )


@dataclass
class Outcome:
    delivered: bool
    response_code: int | None = None
    error: str = ""
    excerpt: str = ""
    duration_ms: int = 0
    # The receiver could not be reached at all (the sweep then skips its other
    # deliveries in this run instead of waiting on each).
    unreachable: bool = False


def _post(delivery: Delivery, *, attempt: int) -> Outcome:
    endpoint = delivery.endpoint
    body = delivery.body.encode()
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        "X-CRM-Event": delivery.event,
        "X-CRM-Delivery": str(delivery.pk),
        "X-CRM-Attempt": str(attempt),
        "X-CRM-Timestamp": str(timestamp),
        "X-CRM-Signature": signature(secret=endpoint.secret, timestamp=timestamp, body=body),
    }
    started = time.monotonic()

    def took() -> int:
        return int((time.monotonic() - started) * 1000)

    try:
        url_check(endpoint.url)  # the rule again: the settings or the address may differ now
    except ValidationError as error:
        return Outcome(False, error=_refused(" ".join(error.messages)))
    connect_timeout, read_timeout = timeouts()
    session = checked_session()
    try:
        with session.post(
            endpoint.url,
            data=body,
            headers=headers,
            timeout=(connect_timeout, read_timeout),
            allow_redirects=False,
            stream=True,
        ) as response:
            excerpt = _read_excerpt(response, deadline=started + connect_timeout + read_timeout)
            code = response.status_code
    except UnsafeDestination as error:
        return Outcome(False, error=_refused(error), duration_ms=took())
    except requests.exceptions.ConnectionError as error:
        reason = _unwrap(error)
        if isinstance(reason, UnsafeDestination):
            return Outcome(False, error=_refused(reason), duration_ms=took())
        if isinstance(error, requests.exceptions.ConnectTimeout):
            message = _("Timed out connecting.")
        else:
            message = _("Could not connect: %(reason)s") % {"reason": str(reason)[:300]}
        return Outcome(False, error=message, duration_ms=took(), unreachable=True)
    except requests.exceptions.Timeout:
        return Outcome(
            False,
            error=_("No answer within %(s)s seconds.") % {"s": f"{read_timeout:g}"},
            duration_ms=took(),
            unreachable=True,
        )
    except requests.exceptions.RequestException as error:
        return Outcome(False, error=str(error)[:EXCERPT], duration_ms=took())
    finally:
        session.close()
    if 200 <= code < 300:
        return Outcome(True, response_code=code, excerpt=excerpt, duration_ms=took())
    if 300 <= code < 400:
        error = _("Redirects are not followed (to %(location)s).") % {
            "location": response.headers.get("Location", "?")[:200]
        }
    else:
        error = _("The receiver answered %(code)s.") % {"code": code}
    return Outcome(False, response_code=code, error=error, excerpt=excerpt, duration_ms=took())


def _refused(reason) -> str:
    return _("Refused: %(reason)s") % {"reason": reason}


def _unwrap(error: BaseException) -> BaseException:
    """The innermost cause of a requests/urllib3 error (our UnsafeDestination, if any)."""
    seen = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, UnsafeDestination):
            return current
        for candidate in getattr(current, "args", ()):
            if isinstance(candidate, BaseException):
                inner = _unwrap(candidate)
                if isinstance(inner, UnsafeDestination):
                    return inner
        reason = getattr(current, "reason", None)
        if isinstance(reason, BaseException):
            current = reason
            continue
        current = current.__cause__ or current.__context__
    return error


def _read_excerpt(response, *, deadline: float) -> str:
    """At most EXCERPT characters of the answer, and never past the deadline."""
    chunks, size = [], 0
    for chunk in response.iter_content(chunk_size=256):
        chunks.append(chunk)
        size += len(chunk)
        if size >= EXCERPT or time.monotonic() > deadline:
            break
    return b"".join(chunks)[:EXCERPT].decode("utf-8", "replace")


def _claim(delivery_id, *, now: datetime.datetime, manual: bool) -> int | None:
    """Take the delivery if it is due (or, `manual`, whenever it is not delivered nor
    being sent). Returns the attempt number, or None when someone else has it."""
    condition = due_filter(now)
    if manual:
        condition |= Q(status__in=[DeliveryStatus.PENDING, DeliveryStatus.FAILED])
    claimed = Delivery.objects.filter(condition, pk=delivery_id).update(
        status=DeliveryStatus.SENDING,
        claimed_until=now + datetime.timedelta(seconds=claim_seconds()),
        attempts=F("attempts") + 1,
        last_attempt_at=now,
    )
    if not claimed:
        return None
    return Delivery.objects.filter(pk=delivery_id).values_list("attempts", flat=True).first()


@dataclass
class AttemptResult:
    delivery_id: object
    outcome: Outcome
    status: str


def delivery_attempt(
    *, delivery_id, now: datetime.datetime | None = None, manual: bool = False
) -> AttemptResult | None:
    """Claim the delivery and send it once. None when it was not due (already sent,
    claimed by another worker, or its endpoint is disabled)."""
    now = now or timezone.now()
    delivery = Delivery.objects.select_related("endpoint").filter(pk=delivery_id).first()
    if delivery is None or not delivery.endpoint.is_active:
        return None
    attempt = _claim(delivery_id, now=now, manual=manual)
    if attempt is None:
        return None
    outcome = _post(delivery, attempt=attempt)
    finished = now + datetime.timedelta(milliseconds=outcome.duration_ms)
    if outcome.delivered:
        values = {
            "status": DeliveryStatus.DELIVERED,
            "delivered_at": finished,
            "next_attempt_at": None,
            "last_error": "",
        }
    elif attempt >= max_attempts():
        values = {"status": DeliveryStatus.FAILED, "next_attempt_at": None}
    else:
        values = {"status": DeliveryStatus.PENDING, "next_attempt_at": now + backoff(attempt)}
    if not outcome.delivered:
        values["last_error"] = outcome.error[:500]
    DeliveryAttempt.objects.create(
        delivery_id=delivery_id,
        number=attempt,
        started_at=now,
        duration_ms=outcome.duration_ms,
        response_code=outcome.response_code,
        error=outcome.error[:500],
        response_excerpt=outcome.excerpt[:500],
        manual=manual,
    )
    # Only while the claim is still ours (a worker that overran its claim records nothing
    # over a newer attempt).
    Delivery.objects.filter(pk=delivery_id, status=DeliveryStatus.SENDING, attempts=attempt).update(
        claimed_until=None, last_response_code=outcome.response_code, **values
    )
    if not outcome.delivered:
        log.info("Webhook delivery %s attempt %s failed: %s", delivery_id, attempt, outcome.error)
    return AttemptResult(delivery_id, outcome, values["status"])


@dataclass
class SweepResult:
    attempted: int = 0
    delivered: int = 0
    skipped_endpoints: set = field(default_factory=set)


def deliveries_send_due(
    *,
    now: datetime.datetime | None = None,
    limit: int = 200,
    time_budget_seconds: float = 50.0,
) -> SweepResult:
    """The sweep: send what is due (new rows whose task never ran, retries whose time
    has come, claims of dead workers), oldest due first, at most `limit` and for at
    most `time_budget_seconds` (it runs every minute). A receiver that cannot be reached
    is not tried again in the same run."""
    fixed_now = now
    started = time.monotonic()
    result = SweepResult()
    now = now or timezone.now()
    candidates = list(
        Delivery.objects.filter(due_filter(now), endpoint__is_active=True)
        .order_by("next_attempt_at", "created_at")
        .values_list("pk", "endpoint_id")[:limit]
    )
    for delivery_id, endpoint_id in candidates:
        if endpoint_id in result.skipped_endpoints:
            continue
        if time.monotonic() - started > time_budget_seconds:
            break
        attempted = delivery_attempt(delivery_id=delivery_id, now=fixed_now or timezone.now())
        if attempted is None:
            continue
        result.attempted += 1
        if attempted.outcome.delivered:
            result.delivered += 1
        elif attempted.outcome.unreachable:
            result.skipped_endpoints.add(endpoint_id)
    return result


def deliveries_send(*, delivery_ids, manual: bool = False) -> int:
    """Send these (the task queued when their change committed, or a manager's retry);
    each only if due (or, `manual`, not delivered nor being sent)."""
    delivered = 0
    for delivery_id in delivery_ids:
        attempted = delivery_attempt(delivery_id=delivery_id, manual=manual)
        if attempted is not None and attempted.outcome.delivered:
            delivered += 1
    return delivered


def deliveries_prune(*, now: datetime.datetime | None = None, batch: int = 5000) -> int:
    """Forget delivered and failed deliveries older than WEBHOOKS_KEEP_DAYS, a batch per
    run (the sweep runs every minute)."""
    now = now or timezone.now()
    before = now - datetime.timedelta(days=int(_setting("WEBHOOKS_KEEP_DAYS", 90)))
    old = list(
        Delivery.objects.filter(
            created_at__lt=before, status__in=[DeliveryStatus.DELIVERED, DeliveryStatus.FAILED]
        ).values_list("pk", flat=True)[:batch]
    )
    if not old:
        return 0
    DeliveryAttempt.objects.filter(delivery_id__in=old).delete()
    deleted, _by_model = Delivery.objects.filter(pk__in=old).delete()
    return deleted
