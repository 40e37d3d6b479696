"""Customers and their contact people as the API shows and takes them.

Input is checked twice, for two reasons: these serializers check the *shape* (types,
lengths, choices: so the schema can say it and nothing odd reaches a form), then the
page's own forms (customers.forms.CustomerForm, ContactPersonForm) check the *content*
with the same rules, normalisers, 撞单 duplicate check and masking as the pages.
"""

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from rest_framework import serializers

from customers.forms import ContactPersonForm, CustomerForm
from customers.masking import birthday_full, mask_id_number
from customers.models import ContactPerson, Customer
from customers.selectors import customer_can_see_full_id

# Room for the spaces, dashes and +86 prefixes people type (the forms normalise them).
TYPED_LENGTH = {"id_number": 24, "mobile": 24, "phone": 42, "postal_code": 18}


def _input_field(model, name: str) -> serializers.Field:
    """A serializer field for the model field `name`, all optional (the form decides
    what is required: a create needs kind and name, a change only what it changes)."""
    field = model._meta.get_field(name)
    common = {"required": False, "help_text": field.verbose_name}  # lazy: per reader
    if field.many_to_many:
        return serializers.ListField(child=serializers.IntegerField(min_value=1), **common)
    if field.many_to_one:
        return serializers.IntegerField(min_value=1, allow_null=True, **common)
    if isinstance(field, models.BooleanField):
        return serializers.BooleanField(**common)
    if isinstance(field, models.DateField):
        return serializers.DateField(allow_null=True, **common)
    if field.choices:
        return serializers.ChoiceField(choices=list(field.flatchoices), allow_blank=True, **common)
    if isinstance(field, models.EmailField):
        return serializers.CharField(allow_blank=True, max_length=254, **common)
    max_length = TYPED_LENGTH.get(name, field.max_length)
    return serializers.CharField(
        allow_blank=True, max_length=max_length, trim_whitespace=False, **common
    )


def _input_serializer(name: str, model, fields: list[str], extra=None):
    attrs = {field: _input_field(model, field) for field in fields}
    attrs.update(extra or {})
    return type(name, (serializers.Serializer,), attrs)


CustomerInputSerializer = _input_serializer(
    "CustomerInputSerializer", Customer, list(CustomerForm.Meta.fields)
)
ContactPersonInputSerializer = _input_serializer(
    "ContactPersonInputSerializer", ContactPerson, list(ContactPersonForm.Meta.fields)
)


def form_data(values: dict) -> dict:
    """Validated API input as the data a bound Django form reads."""
    data = {}
    for key, value in values.items():
        if value is None:
            data[key] = ""
        elif isinstance(value, bool):
            data[key] = value  # CheckboxInput reads True/False
        elif isinstance(value, list):
            data[key] = [str(item) for item in value]
        elif hasattr(value, "isoformat"):
            data[key] = value.isoformat()
        else:
            data[key] = str(value)
    return data


class _FormData(dict):
    """A dict with getlist, so SelectMultiple widgets read lists from it."""

    def getlist(self, key, default=None):
        value = self.get(key, default if default is not None else [])
        if value in ("", None):
            return []
        return value if isinstance(value, list) else [value]


def bound_form_data(form, changes: dict) -> _FormData:
    """What the form would post with nothing touched (its initial values, with masked
    identity fields empty = keep) plus the caller's changes: a PATCH is the form
    submitted with only those fields changed."""
    data = {}
    for name, field in form.fields.items():
        if field.disabled:
            continue
        value = form[name].value()
        if isinstance(value, list | tuple):
            value = [getattr(item, "pk", item) for item in value]
        data[name] = value
    data.update(changes)
    return _FormData(form_data(data))


class BlankChoicesMixin:
    """For ModelSerializers used for output: a choice field the model lets stay blank is
    sent as "" when unset, so the schema's enum must include "" (DRF drops allow_blank
    from read-only fields, and the schema would then promise a value that is not there)."""

    def get_fields(self):
        fields = super().get_fields()
        model = self.Meta.model
        for name, field in fields.items():
            if not isinstance(field, serializers.ChoiceField):
                continue
            try:
                model_field = model._meta.get_field(field.source or name)
            except FieldDoesNotExist:  # a computed field: nothing to widen
                continue
            if getattr(model_field, "blank", False):
                field.allow_blank = True
        return fields


class OwnerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    name = serializers.CharField(source="display_name")


class CustomerSerializer(BlankChoicesMixin, serializers.ModelSerializer):
    """A customer as the caller may see it: the ID number masked to its last four for
    everyone (customers.masking; the full number only through the audited
    /customers/{id}/id-number, for those allowed); the birthday with its year only for
    those who may see the full number, else day and month (`birthday_month_day`)."""

    owner = OwnerSerializer(read_only=True)
    id_number = serializers.SerializerMethodField()
    birthday = serializers.SerializerMethodField()
    birthday_month_day = serializers.SerializerMethodField()
    desired_destinations = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    tags = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    last_contact_at = serializers.SerializerMethodField()

    class Meta:
        model = Customer
        fields = [
            "id",
            "kind",
            "name",
            "owner",
            "status",
            "churn_reason",
            "lost_at",
            "is_key_account",
            "grade",
            "organisation_type",
            "supplier_type",
            "policy_first_class",
            "policy_fare_rule",
            "founding_date",
            "id_number",
            "sex",
            "birthday",
            "birthday_month_day",
            "wedding_anniversary",
            "occupation",
            "mobile",
            "phone",
            "email",
            "province",
            "city",
            "district",
            "street_address",
            "postal_code",
            "source_channel",
            "channel_partner",
            "desired_destinations",
            "tags",
            "pref_airline",
            "pref_aircraft_size",
            "pref_seat",
            "pref_hotel_class",
            "pref_diet",
            "character_notes",
            "last_contact_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def _full(self, customer) -> bool:
        return customer_can_see_full_id(user=self.context["request"].user, customer=customer)

    def get_id_number(self, customer) -> str:
        return mask_id_number(customer.id_number)

    def get_birthday(self, customer) -> str | None:
        """YYYY-MM-DD, or null for those who may not see the year."""
        if customer.birthday is None or not self._full(customer):
            return None
        return birthday_full(customer.birthday)

    def get_birthday_month_day(self, customer) -> str | None:
        """MM-DD: enough for greetings, for everyone who sees the customer."""
        return customer.birthday.strftime("%m-%d") if customer.birthday else None

    def get_last_contact_at(self, customer) -> str | None:
        value = getattr(customer, "last_contact_at", None)
        return serializers.DateTimeField().to_representation(value) if value else None


class IdNumberSerializer(serializers.Serializer):
    id_number = serializers.CharField()


class ContactPersonSerializer(BlankChoicesMixin, serializers.ModelSerializer):
    replaced_by = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = ContactPerson
        fields = [
            "id",
            "customer",
            "name",
            "title",
            "mobile",
            "email",
            "is_primary",
            "started_on",
            "ended_on",
            "end_reason",
            "replaced_by",
            "created_at",
        ]
        read_only_fields = fields
