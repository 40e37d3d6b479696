"""How much of a person's identity a reader is shown: the one rule every door uses
(pages, forms, lists, exports, admin and its history, printable pages).

A resident ID number is region (6) + birth date (8) + sequence (3) + check (1). A mask
that keeps the region and the last four, shown beside the birthday, *is* the full
number. So:

- Everyone is shown the ID number as its last four only (`**************593X`): no
  region, no birth date. The full number reaches a page only through the audited "Show"
  and the edit form, and only for those who may see it (`customer_can_see_full_id`:
  the owner, managers, superusers).
- Those who may see the full number see the full birthday. Everyone else sees the day
  and month only ("6月26日" / "26 June") - enough for greetings - and never the year, an
  age or the birth digits.

Nothing here imports the models at import time: the model's `id_number_masked` uses
`mask_id_number` from this module.
"""

import datetime
from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils import formats
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

ID_VISIBLE_TAIL = 4
# A birthday without its year, per language (Django's own zh MONTH_DAY_FORMAT pads the
# month: "09月28日"; staff write "9月28日").
BIRTHDAY_FORMATS = {"zh": "n月j日"}
DEFAULT_BIRTHDAY_FORMAT = "j F"  # 28 September

# Fields whose value passes through the rule wherever a value is displayed generically
# (admin history, change history): (app_label.model_name, field name) -> kind.
SENSITIVE_FIELDS = {
    ("customers.customer", "id_number"): "id_number",
    ("customers.customer", "birthday"): "birthday",
}


def mask_id_number(value: str | None) -> str:
    """**************593X: the last four only; region and birth date hidden."""
    if not value:
        return ""
    value = str(value)
    if len(value) <= ID_VISIBLE_TAIL:
        return "*" * len(value)
    return "*" * (len(value) - ID_VISIBLE_TAIL) + value[-ID_VISIBLE_TAIL:]


def birthday_month_day(value: datetime.date | None) -> str:
    """The birthday without its year, in the reader's language: 6月26日 / 26 June."""
    if value is None:
        return ""
    language = (get_language() or "").lower()
    date_format = next(
        (fmt for prefix, fmt in BIRTHDAY_FORMATS.items() if language.startswith(prefix)),
        DEFAULT_BIRTHDAY_FORMAT,
    )
    return formats.date_format(value, date_format)


def birthday_full(value: datetime.date | None) -> str:
    return value.strftime("%Y-%m-%d") if value else ""


@dataclass(frozen=True)
class PersonalDataView:
    """What one reader is shown of one customer's identity."""

    id_number: str
    birthday: datetime.date | None
    can_see_full_id: bool

    @property
    def id_number_display(self) -> str:
        # The same mask for everyone: the full number only through the audited Show.
        return mask_id_number(self.id_number)

    @property
    def birthday_display(self) -> str:
        if self.can_see_full_id:
            return birthday_full(self.birthday)
        return birthday_month_day(self.birthday)

    def display(self, kind: str, value: Any) -> str:
        """A historical or other value of a sensitive field, as this reader may see it."""
        if value in (None, ""):
            return ""
        if kind == "id_number":
            return mask_id_number(value)
        if kind == "birthday":
            if isinstance(value, str):
                value = datetime.date.fromisoformat(value[:10])
            return birthday_full(value) if self.can_see_full_id else birthday_month_day(value)
        return str(value)


def customer_identity_for(*, user, customer) -> PersonalDataView:
    """The one place a page, form, export or admin screen asks what `user` may be shown
    of `customer`'s ID number and birthday."""
    from customers.selectors import customer_can_see_full_id

    can_see = bool(
        customer is not None
        and getattr(user, "is_authenticated", False)
        and customer_can_see_full_id(user=user, customer=customer)
    )
    return PersonalDataView(
        id_number=getattr(customer, "id_number", "") or "",
        birthday=getattr(customer, "birthday", None),
        can_see_full_id=can_see,
    )


def sensitive_kind(model, field_name: str) -> str | None:
    """'id_number' / 'birthday' when the field passes through the rule, else None."""
    return SENSITIVE_FIELDS.get((model._meta.label_lower, field_name))


def display_field_value(*, model, field_name: str, value: Any, can_see_full_id: bool) -> Any:
    """`value` masked when the field is sensitive; other values are returned unchanged."""
    kind = sensitive_kind(model, field_name)
    if kind is None:
        return value
    view = PersonalDataView(id_number="", birthday=None, can_see_full_id=can_see_full_id)
    return view.display(kind, value)


class MaskedIdentityFormMixin:
    """Edit forms (the page and the admin) for readers who may not see the full ID number:
    the ID number and birthday fields start empty, with the mask as the hint, so the stored
    values never reach the browser. Leaving them empty keeps what is on file; typing a
    whole new valid number changes it (and the birthday follows the new number). With an
    ID number on file the birthday is not editable by them: it follows the number, and a
    "does not match" answer would let them guess the year."""

    identity_masked = False

    def mask_identity_fields(self, *, user) -> None:
        instance = self.instance
        if instance.pk is None:
            return
        view = customer_identity_for(user=user, customer=instance)
        if view.can_see_full_id:
            return
        self.identity_masked = True
        self._identity_on_file = (instance.id_number, instance.birthday)
        if "id_number" in self.fields:
            self.initial["id_number"] = ""
            field = self.fields["id_number"]
            field.required = False
            if instance.id_number:
                field.widget.attrs.update(
                    {"placeholder": view.id_number_display, "autocomplete": "off"}
                )
                field.help_text = _(
                    "On file: %(masked)s. Leave empty to keep it; to change it, type the "
                    "whole new number."
                ) % {"masked": view.id_number_display}
        if "birthday" in self.fields:
            self.initial["birthday"] = None
            field = self.fields["birthday"]
            field.required = False
            if instance.id_number:
                field.disabled = True
                # A plain box with the day and month as its hint, not an empty date picker.
                field.widget = forms.TextInput(attrs={"placeholder": view.birthday_display})
                field.help_text = _("Filled from the ID number.")
            elif instance.birthday:
                field.help_text = _(
                    "On file: %(day)s. Leave empty to keep it; type a full date to change it."
                ) % {"day": view.birthday_display}

    def clean(self):
        cleaned = super().clean()
        if not self.identity_masked:
            return cleaned
        stored_id, stored_birthday = self._identity_on_file
        if "id_number" in self.errors or "birthday" in self.errors:
            return cleaned
        new_id = cleaned.get("id_number") or ""
        if "id_number" in self.fields and not new_id:
            cleaned["id_number"] = stored_id
        if "birthday" in self.fields and cleaned.get("birthday") is None:
            # A new number brings its own birthday (filled from it); otherwise keep.
            cleaned["birthday"] = None if new_id and new_id != stored_id else stored_birthday
        return cleaned
