"""Resident ID numbers at rest: encrypted, found through a keyed blind index.

The database holds an ID number only as an AES-256-GCM token (cryptography's AEAD; a
random 96-bit nonce per value, authenticated, so a token copied or altered fails to
decrypt) and, beside it, an HMAC-SHA256 of the canonical number under a separate key:
the blind index. A dump of the database, or a `SELECT` by someone with database access
but not the keys, shows neither the number nor anything a guess can be checked against.

Keys come from the environment (config/settings.py):

- `ID_NUMBER_KEYS`: comma-separated `key_id:base64_of_32_bytes`; the first is the
  current key (new values are encrypted with it), the others still decrypt. Rotating:
  put a new key first, deploy, run `manage.py reencrypt_id_numbers`, then drop the old.
- `ID_NUMBER_INDEX_KEY`: base64 of 32 bytes, for the blind index only. Changing it needs
  `manage.py reencrypt_id_numbers --reindex` before lookups find anything again.

Outside production an embedded development key is used when none is set; in production
a missing key is a `check --deploy` error (customers/checks.py) and any read or write of
an ID number refuses to run.

Every query by ID number goes through `id_number_q` (exact or `__in` on the index), so
the duplicate check (撞单), exact search, the importer, the API and the unique
constraint all compare the same keyed hash.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Q

from customers.validators import normalize_id_number

CIPHERTEXT_PREFIX = "e1:"
INDEX_LENGTH = 64  # hex of SHA-256
TOKEN_MAX_LENGTH = 100
_KEY_ID = re.compile(r"^[A-Za-z0-9_-]{1,16}$")
# Binds a token to what it is: a token lifted into another column does not decrypt.
_ASSOCIATED_DATA = b"crm:customer:id_number"


class IdNumberKeyError(ImproperlyConfigured):
    pass


@dataclass(frozen=True)
class Keyring:
    current_id: str
    ciphers: dict[str, AESGCM]
    index_key: bytes


def _decode_key(text: str, *, what: str) -> bytes:
    try:
        key = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise IdNumberKeyError(f"{what} is not base64.") from exc
    if len(key) != 32:
        raise IdNumberKeyError(f"{what} must be 32 bytes (base64 of 32 random bytes).")
    return key


@lru_cache(maxsize=8)
def _parse(keys: str, index_key: str) -> Keyring:
    if not keys.strip():
        raise IdNumberKeyError(
            "ID_NUMBER_KEYS is not set: ID numbers cannot be encrypted or read. "
            "Generate a key with `python manage.py reencrypt_id_numbers --new-key`."
        )
    if not index_key.strip():
        raise IdNumberKeyError("ID_NUMBER_INDEX_KEY is not set: ID numbers cannot be found.")
    ciphers: dict[str, AESGCM] = {}
    order = []
    raw_keys = set()
    for entry in keys.split(","):
        if not entry.strip():
            continue
        key_id, sep, encoded = entry.strip().partition(":")
        if not sep or not _KEY_ID.match(key_id):
            raise IdNumberKeyError(
                "ID_NUMBER_KEYS entries are key_id:base64 (key id: letters, digits, _ or -)."
            )
        if key_id in ciphers:
            raise IdNumberKeyError(f"ID_NUMBER_KEYS names the key id {key_id} twice.")
        raw = _decode_key(encoded, what=f"ID_NUMBER_KEYS key {key_id}")
        raw_keys.add(raw)
        ciphers[key_id] = AESGCM(raw)
        order.append(key_id)
    index = _decode_key(index_key, what="ID_NUMBER_INDEX_KEY")
    if index in raw_keys:
        raise IdNumberKeyError("ID_NUMBER_INDEX_KEY must differ from every ID_NUMBER_KEYS key.")
    return Keyring(current_id=order[0], ciphers=ciphers, index_key=index)


def keyring() -> Keyring:
    """The keys in force (parsed once per distinct setting)."""
    return _parse(
        getattr(settings, "ID_NUMBER_KEYS", "") or "",
        getattr(settings, "ID_NUMBER_INDEX_KEY", "") or "",
    )


def new_key() -> str:
    """Base64 of 32 random bytes: a fresh value for either setting."""
    return base64.b64encode(os.urandom(32)).decode()


def is_token(value: str | None) -> bool:
    return bool(value) and value.startswith(CIPHERTEXT_PREFIX)


def encrypt(number: str) -> str:
    """The token stored for `number` (already canonical); '' stays ''."""
    if not number:
        return ""
    ring = keyring()
    nonce = os.urandom(12)
    sealed = ring.ciphers[ring.current_id].encrypt(nonce, number.encode(), _ASSOCIATED_DATA)
    return f"{CIPHERTEXT_PREFIX}{ring.current_id}:{base64.b64encode(nonce + sealed).decode()}"


def decrypt(token: str | None) -> str:
    """The number a stored token holds. A value that is not a token (a row written
    before encryption, not yet migrated) is returned as it is, so the data migration and
    `reencrypt_id_numbers` can read it."""
    if not token:
        return ""
    if not token.startswith(CIPHERTEXT_PREFIX):
        return token
    key_id, _, body = token[len(CIPHERTEXT_PREFIX) :].partition(":")
    ring = keyring()
    cipher = ring.ciphers.get(key_id)
    if cipher is None:
        raise IdNumberKeyError(
            f"An ID number is encrypted with key {key_id}, which ID_NUMBER_KEYS no longer "
            "holds. Put it back (after the current key) and run reencrypt_id_numbers."
        )
    raw = base64.b64decode(body)
    try:
        return cipher.decrypt(raw[:12], raw[12:], _ASSOCIATED_DATA).decode()
    except InvalidTag as exc:
        raise IdNumberKeyError(
            f"An ID number token does not match key {key_id} (altered, or a wrong key)."
        ) from exc


def token_key_id(token: str) -> str | None:
    if not is_token(token):
        return None
    return token[len(CIPHERTEXT_PREFIX) :].partition(":")[0]


def blind_index(number: str | None) -> str:
    """HMAC-SHA256 of the canonical number under the index key; '' for no number."""
    number = normalize_id_number(number)
    if not number:
        return ""
    return hmac.digest(keyring().index_key, number.encode(), "sha256").hex()


def id_number_q(numbers: str | Iterable[str], *, prefix: str = "") -> Q:
    """The one way to filter rows by ID number: exact, or any of many (the importer's
    `__in`), through the blind index. `prefix` reaches a related customer
    (`prefix="customer__"`). Numbers are normalised first; empty ones match nothing."""
    if isinstance(numbers, str):
        numbers = [numbers]
    digests = sorted({blind_index(number) for number in numbers} - {""})
    field = f"{prefix}id_number_index"
    if not digests:
        return Q(pk__in=[])
    if len(digests) == 1:
        return Q(**{field: digests[0]})
    return Q(**{f"{field}__in": digests})


def reencrypt_rows(model, *, batch_size: int = 1000, reindex: bool = False) -> int:
    """Re-encrypts `model`'s ID numbers not yet under the current key (plain legacy rows
    included), a batch of rows per statement, each batch locked and committed on its own;
    with `reindex`, every row, so the blind index follows a new index key. Returns how
    many rows changed; a second run finds none left (safe to rerun or to interrupt)."""
    from django.db import transaction
    from django.db.models import CharField
    from django.db.models.functions import Substr

    current = f"{CIPHERTEXT_PREFIX}{keyring().current_id}:"
    manager = model._base_manager
    pending = manager.exclude(id_number="")
    if not reindex:
        head = Substr("id_number", 1, len(current), output_field=CharField())
        pending = pending.annotate(token_head=head).exclude(token_head=current)
    fields = ["id_number"]
    if any(field.name == "id_number_index" for field in model._meta.concrete_fields):
        fields.append("id_number_index")
    changed, last_pk = 0, None
    while True:
        with transaction.atomic():
            batch = pending.order_by("pk").only("pk", "id_number").select_for_update()
            if last_pk is not None:
                batch = batch.filter(pk__gt=last_pk)
            rows = list(batch[:batch_size])
            if not rows:
                return changed
            # Read decrypted; written back under the current key with its blind index.
            manager.bulk_update(rows, fields)
        changed += len(rows)
        last_pk = rows[-1].pk
