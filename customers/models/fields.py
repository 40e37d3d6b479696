"""Identifier fields that hold only the canonical form of what they store.

The field is the one door every write passes through: forms (page and admin) clean the
typed value with the identifier's `normalize_*` function before validating it, and the
database receives the canonical value whatever path saved the row (a service, the admin,
an import, `bulk_create`). Exact lookups normalise their argument too, so
`filter(mobile="+86 138-0013-8000")` finds `13800138000`.
"""

from collections.abc import Callable

from django import forms
from django.db import models

from customers import validators


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
