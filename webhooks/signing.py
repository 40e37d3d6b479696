"""The signature on every delivery (documented in the README for receivers):

    X-CRM-Timestamp: <unix seconds>
    X-CRM-Signature: sha256=<hex HMAC-SHA256(secret, f"{timestamp}.{body}")>

The timestamp is inside the signed text, so a receiver that refuses old timestamps (say,
older than five minutes) cannot be fed a recorded delivery again. Retries are signed
afresh with the time they are sent."""

import hashlib
import hmac
import secrets

SECRET_PREFIX = "whsec_"  # noqa: S105 (a label, not a secret)


def secret_generate() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def signature(*, secret: str, timestamp: int, body: bytes) -> str:
    signed = str(timestamp).encode() + b"." + body
    return "sha256=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def signature_valid(*, secret: str, timestamp: str, body: bytes, header: str) -> bool:
    """What a receiver does (also used by our tests' receiver)."""
    try:
        expected = signature(secret=secret, timestamp=int(timestamp), body=body)
    except ValueError:
        return False
    return hmac.compare_digest(expected, header or "")
