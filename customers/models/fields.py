"""Identifier fields that hold only the canonical form of what they store.

The field is the one door every write passes through: forms (page and admin) clean the
typed value with the identifier's `normalize_*` function before validating it, and the
database receives the canonical value whatever path saved the row (a service, the admin,
an import, `bulk_create`). Exact lookups normalise their argument too, so
`filter(mobile="+86 138-0013-8000")` finds `13800138000`.
"""

from collections.abc import Callable

from django import forms
from django.core.exceptions import FieldError
from django.db import models
from django.db.models.query_utils import DeferredAttribute

from customers import id_numbers, validators


class NormalisedFormField(forms.CharField):
    """A text input that normalises before its validators run, so spaces and dashes a
    person types do not count against the length of the stored value."""

    def __init__(self, *, normaliser: Callable[[str], str], **kwargs):
        self.normaliser = normaliser
        super().__init__(**kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        return self.normaliser(value) if value else value


class NormalisedEmailFormField(forms.EmailField):
    def to_python(self, value):
        value = super().to_python(value)
        return validators.normalize_email(value) if value else value


class _NormalisedCharField(models.CharField):
    normaliser: Callable[[str], str]
    # Room in the form for the spaces, dashes and prefixes people type.
    typing_room = 12

    def to_python(self, value):
        value = super().to_python(value)
        return type(self).normaliser(value) if value else value

    def formfield(self, **kwargs):
        defaults = {
            "form_class": NormalisedFormField,
            "normaliser": type(self).normaliser,
            "max_length": self.max_length + self.typing_room,
        }
        return super().formfield(**{**defaults, **kwargs})


class IdNumberField(_NormalisedCharField):
    normaliser = staticmethod(validators.normalize_id_number)


class EncryptedIdNumberField(IdNumberField):
    """A resident ID number, plain in Python, an AES-GCM token in the database
    (customers/id_numbers.py). Only "is it empty" can be asked of the column itself;
    every other question goes through `id_number_q` and the blind index beside it."""

    encodes_for_database = True  # raw writers (COPY) call get_db_prep_save

    def __init__(self, *args, **kwargs):
        kwargs["max_length"] = id_numbers.TOKEN_MAX_LENGTH
        super().__init__(*args, **kwargs)

    def formfield(self, **kwargs):
        return super().formfield(**{"max_length": 18 + self.typing_room, **kwargs})

    def from_db_value(self, value, expression, connection):
        return id_numbers.decrypt(value)

    def get_db_prep_save(self, value, connection):
        if hasattr(value, "as_sql"):  # an expression (bulk_update's CASE) prepares itself
            return value
        value = self.to_python(value)
        return id_numbers.encrypt(value) if value else ""

    def get_prep_value(self, value):
        # Lookups: a token is random, so an equal number never equals the stored token.
        if value not in (None, "") and not id_numbers.is_token(value):
            raise FieldError(
                "ID numbers are stored encrypted; filter through "
                "customers.id_numbers.id_number_q (the blind index)."
            )
        return super().get_prep_value(value)

    def get_lookup(self, lookup_name):
        # No partial lookups on a token: they would answer nothing, or leak its length.
        if lookup_name not in ("exact", "isnull", "in"):
            return None
        return super().get_lookup(lookup_name)


class _BlindIndexAttribute(DeferredAttribute):
    """Reads the keyed hash of the number the instance holds now: whatever path changed
    the number (a form, an import, `bulk_update`), the index saved with it matches."""

    def __get__(self, instance, cls=None):
        if instance is None:
            return self
        source = self.field.source
        number = (
            instance.__dict__[source] if source in instance.__dict__ else getattr(instance, source)
        )
        memo = instance.__dict__.get(self.memo)
        if memo is None or memo[0] != number:
            memo = (number, id_numbers.blind_index(number))
            instance.__dict__[self.memo] = memo
        return memo[1]

    def __set__(self, instance, value):
        # Kept so Django counts the field as loaded; the value read is always derived.
        instance.__dict__[self.field.attname] = value

    @property
    def memo(self) -> str:
        return f"_{self.field.attname}_memo"


def stored_blind_index(instance, field_name: str = "id_number_index") -> str:
    """The blind index as the database row holds it (loaded with the instance), read
    without the number it derives from: for a look-up by index that loaded the instance
    with the encrypted number deferred (the importer's), so nothing is decrypted. Reading
    the attribute itself would derive it again from the number."""
    return instance.__dict__.get(field_name) or ""


class BlindIndexField(models.CharField):
    """HMAC-SHA256 of another field's number (`source`), for exact lookups and the
    unique constraint; never edited, always derived."""

    encodes_for_database = True

    descriptor_class = _BlindIndexAttribute

    def __init__(self, *args, source: str = "id_number", **kwargs):
        self.source = source
        kwargs.setdefault("max_length", id_numbers.INDEX_LENGTH)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        kwargs.pop("max_length", None)
        kwargs.pop("editable", None)
        kwargs.pop("blank", None)
        return name, path, args, kwargs

    def pre_save(self, model_instance, add):
        return getattr(model_instance, self.attname)


class MobileField(_NormalisedCharField):
    normaliser = staticmethod(validators.normalize_mobile)


class PhoneField(_NormalisedCharField):
    normaliser = staticmethod(validators.normalize_phone)


class PostalCodeField(_NormalisedCharField):
    normaliser = staticmethod(validators.normalize_postal_code)


class BookingNumberField(_NormalisedCharField):
    normaliser = staticmethod(validators.normalize_booking_number)
    typing_room = 0


class BookingSourceField(_NormalisedCharField):
    normaliser = staticmethod(validators.normalize_booking_source)
    typing_room = 0


class NormalisedEmailField(models.EmailField):
    def to_python(self, value):
        value = super().to_python(value)
        return validators.normalize_email(value) if value else value

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": NormalisedEmailFormField, **kwargs})
