import datetime
from decimal import Decimal

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Fieldset, Layout, Row
from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Team
from customers.masking import MaskedIdentityFormMixin
from customers.models import (
    Booking,
    ContactPerson,
    ContactRecord,
    Customer,
    ServiceRecord,
    Tag,
)
from customers.selectors import handover_candidates, owner_choices
from customers.services import BULK_ACTIONS, customer_prepare
from customers.services.booking_sync import SYNCED_FIELDS
from customers.validators import normalize_id_number, normalize_mobile, validate_mobile


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


def _no_form_tag_helper(layout: Layout | None = None) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    if layout is not None:
        helper.layout = layout
    return helper


class MobileField(forms.CharField):
    """Accepts +86 / 0086 prefixes, spaces and dashes; stores the 11 digits."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 24)
        super().__init__(**kwargs)

    def clean(self, value):
        value = normalize_mobile(super().clean(value))
        if value:
            validate_mobile(value)
        return value


class CustomerPrepareMixin:
    """Runs the service's normalisation, ID-number facts and duplicate check as part of
    form validation, so errors show beside the right field (also in the admin)."""

    # The unique constraints behind the duplicate check (撞单), by the field whose
    # duplicate customer_prepare reports: it says so beside the field and names the
    # owner, so the constraint's own message (the same fact, without the owner, at the
    # top of the form) is not repeated. The constraints still hold in the database.
    DUPLICATE_CONSTRAINTS = {
        "customer_unique_id_number": "id_number",
        "customer_unique_mobile": "mobile",
        "customer_unique_organisation_name": "name",
    }

    def _drop_repeated_constraint_errors(self) -> None:
        shown = [
            str(constraint.get_violation_error_message())
            for constraint in self.instance._meta.constraints
            if self.DUPLICATE_CONSTRAINTS.get(constraint.name) in self._errors
        ]
        top = self._errors.get(NON_FIELD_ERRORS)
        if not top or not shown:
            return
        kept = [message for message in top if message not in shown]
        if kept:
            self._errors[NON_FIELD_ERRORS] = self.error_class(kept, error_class="nonfield")
        else:
            del self._errors[NON_FIELD_ERRORS]

    def _post_clean(self):
        super()._post_clean()
        try:
            customer_prepare(customer=self.instance)
        except ValidationError as exc:
            # The model's field validators ran already (an ID number's check digit):
            # a message the field shows once is not added a second time.
            already = {field: set(self._errors.get(field, [])) for field in exc.message_dict}
            fresh = {
                field: [message for message in messages if message not in already[field]]
                for field, messages in exc.message_dict.items()
            }
            fresh = {field: messages for field, messages in fresh.items() if messages}
            if fresh:
                self._update_errors(ValidationError(fresh))
        self._drop_repeated_constraint_errors()


class CustomerForm(MaskedIdentityFormMixin, CustomerPrepareMixin, forms.ModelForm):
    mobile = MobileField(label=_("mobile"), required=False)
    id_number = forms.CharField(
        label=_("resident ID number"),
        required=False,
        max_length=24,
        help_text=_("18 characters; the birthday and sex are filled from it."),
    )

    class Meta:
        model = Customer
        fields = [
            "kind",
            "name",
            "owner",
            "status",
            "churn_reason",
            "is_key_account",
            "organisation_type",
            "supplier_type",
            "policy_first_class",
            "policy_fare_rule",
            "founding_date",
            "id_number",
            "birthday",
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
        ]
        widgets = {
            "birthday": DateInput(),
            "wedding_anniversary": DateInput(),
            "founding_date": DateInput(),
            "desired_destinations": forms.CheckboxSelectMultiple(),
            "tags": forms.CheckboxSelectMultiple(),
            "character_notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        choices = owner_choices(user=user)
        self.fields["owner"].queryset = choices
        self.fields["owner"].required = False
        if self.instance.pk is None:
            self.fields["owner"].initial = user.pk
        # Those who may not see the full ID number get empty ID and birthday fields with
        # the mask as the hint (customers.masking); the others get the values on file.
        self.mask_identity_fields(user=user)
        self.helper = _no_form_tag_helper(
            Layout(
                Fieldset(
                    _("Basic facts"),
                    Row(Column("kind"), Column("name"), Column("owner")),
                    Row(Column("status"), Column("churn_reason"), Column("is_key_account")),
                ),
                Fieldset(
                    _("Organisation"),
                    Row(Column("organisation_type"), Column("supplier_type")),
                    Row(Column("policy_first_class"), Column("policy_fare_rule")),
                    "founding_date",
                    css_id="fields-organisation",
                ),
                Fieldset(
                    _("Person"),
                    Row(Column("id_number"), Column("birthday")),
                    Row(Column("wedding_anniversary"), Column("occupation")),
                    css_id="fields-person",
                ),
                Fieldset(
                    _("Contact details and postal address"),
                    Row(Column("mobile"), Column("phone"), Column("email")),
                    Row(Column("province"), Column("city"), Column("district")),
                    Row(Column("street_address", css_class="col-md-8"), Column("postal_code")),
                ),
                Fieldset(_("Source"), Row(Column("source_channel"), Column("channel_partner"))),
                Fieldset(
                    _("Wishes and preferences"),
                    Row(Column("desired_destinations"), Column("tags")),
                    Row(Column("pref_airline"), Column("pref_aircraft_size"), Column("pref_seat")),
                    Row(Column("pref_hotel_class"), Column("pref_diet")),
                    "character_notes",
                ),
            )
        )

    def clean_id_number(self):
        return normalize_id_number(self.cleaned_data["id_number"])

    def clean_owner(self):
        owner = self.cleaned_data.get("owner")
        if owner is None:
            return self.instance.owner if self.instance.pk else self.user
        return owner


class ContactRecordForm(forms.ModelForm):
    class Meta:
        model = ContactRecord
        fields = ["channel", "outcome", "contacted_at", "notes", "next_step", "next_contact_on"]
        widgets = {
            "contacted_at": DateTimeInput(),
            "next_contact_on": DateInput(),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contacted_at"].initial = timezone.localtime().replace(second=0, microsecond=0)
        self.helper = _no_form_tag_helper()

    def clean_contacted_at(self):
        value = self.cleaned_data["contacted_at"]
        if value > timezone.now() + datetime.timedelta(minutes=5):
            raise ValidationError(_("A contact cannot be logged in the future."))
        return value

    def clean(self):
        cleaned = super().clean()
        when, next_on = cleaned.get("contacted_at"), cleaned.get("next_contact_on")
        if when and next_on and next_on < timezone.localtime(when).date():
            self.add_error("next_contact_on", _("The next contact must come after this one."))
        return cleaned


class BookingForm(forms.ModelForm):
    class Meta:
        model = Booking
        fields = list(SYNCED_FIELDS)  # what another system may set, a person types
        widgets = {
            "start_date": DateInput(),
            "end_date": DateInput(),
            "payment_due_date": DateInput(),
            "paid_date": DateInput(),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _no_form_tag_helper(
            Layout(
                Row(
                    Column("product", css_class="col-md-6"),
                    Column("destination"),
                    Column("trip_type"),
                ),
                Row(Column("start_date"), Column("end_date"), Column("head_count")),
                Row(Column("amount"), Column("cost"), Column("status")),
                Row(Column("payment_due_date"), Column("paid_date"), Column("refunded_amount")),
            )
        )
        self.fields["refunded_amount"].required = False
        self.fields["refunded_amount"].help_text = _(
            "Leave empty when nothing was refunded; a Refunded booking with no figure is "
            "refunded in full."
        )
        if not self.instance.refunded_amount:
            # Empty, as the help text says, not the model's 0.00 (new bookings and those
            # with nothing refunded alike).
            self.initial["refunded_amount"] = None

    def clean_refunded_amount(self):
        return self.cleaned_data.get("refunded_amount") or Decimal("0")


class ServiceRecordForm(forms.ModelForm):
    """Feedback as it comes in (reception). Staff may record a response and the handling
    at once; the respond-by deadline is set by the return-visit policy, not typed in."""

    class Meta:
        model = ServiceRecord
        fields = [
            "kind",
            "source_channel",
            "booking",
            "occurred_at",
            "summary",
            "details",
            "status",
            "response",
            "resolution",
            "correction",
        ]
        widgets = {
            "occurred_at": DateTimeInput(),
            "details": forms.Textarea(attrs={"rows": 3}),
            "response": forms.Textarea(attrs={"rows": 2}),
            "resolution": forms.Textarea(attrs={"rows": 3}),
            "correction": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, for_customer: Customer | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["occurred_at"].initial = timezone.localtime().replace(second=0, microsecond=0)
        bookings = Booking.objects.none()
        if for_customer is not None:
            bookings = for_customer.bookings.order_by("-start_date")
        self.fields["booking"].queryset = bookings
        self.helper = _no_form_tag_helper()


class ContactPersonForm(forms.ModelForm):
    mobile = MobileField(label=_("mobile"), required=False)

    class Meta:
        model = ContactPerson
        fields = ["name", "title", "mobile", "email", "is_primary", "started_on"]
        widgets = {"started_on": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["started_on"].initial = timezone.localdate()
        self.helper = _no_form_tag_helper()


class ContactPersonReplaceForm(ContactPersonForm):
    reason = forms.CharField(label=_("why the contact changed"), max_length=200)

    class Meta(ContactPersonForm.Meta):
        fields = [*ContactPersonForm.Meta.fields, "reason"]

    def __init__(self, *args, replacing: ContactPerson, **kwargs):
        self.replacing = replacing
        super().__init__(*args, **kwargs)

    def clean_started_on(self):
        started_on = self.cleaned_data["started_on"]
        if started_on < self.replacing.started_on:
            raise ValidationError(
                _("The new contact cannot start before the current one (%(date)s)."),
                params={"date": self.replacing.started_on},
            )
        return started_on


class AccessRequestForm(forms.Form):
    identifier = forms.CharField(
        label=_("Customer's mobile, full ID number or exact organisation name"),
        max_length=200,
    )
    reason = forms.CharField(
        label=_("Why you need it"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _no_form_tag_helper()


class AccessDecisionForm(forms.Form):
    days = forms.IntegerField(label=_("days"), min_value=1, max_value=90, required=False)
    note = forms.CharField(label=_("note"), max_length=200, required=False)


class DepartureForm(forms.Form):
    left_on = forms.DateField(label=_("leaving date"), widget=DateInput())
    reason = forms.CharField(label=_("reason"), max_length=200, required=False)
    to_owner = forms.ModelChoiceField(
        label=_("hand all customers to this rep"), queryset=None, required=False
    )
    to_team = forms.ModelChoiceField(
        label=_("or spread them across this team"), queryset=None, required=False
    )

    def __init__(self, *args, employee, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_owner"].queryset = handover_candidates(employee=employee)
        self.fields["to_team"].queryset = Team.objects.all()
        self.fields["left_on"].initial = timezone.localdate()
        self.helper = _no_form_tag_helper()

    def clean(self):
        cleaned = super().clean()
        if bool(cleaned.get("to_owner")) == bool(cleaned.get("to_team")):
            raise ValidationError(_("Choose one rep or one team to hand the customers to."))
        return cleaned


class CustomerBulkForm(forms.Form):
    """The bar above the customer list's ticked rows (customers.services.bulk)."""

    action = forms.ChoiceField(label=_("With the ticked customers"), choices=BULK_ACTIONS)
    owner = forms.ModelChoiceField(
        label=_("Rep"),
        queryset=None,
        required=False,
        error_messages={"invalid_choice": _("Choose a rep you may give customers to.")},
    )
    tag = forms.ModelChoiceField(label=_("Tag"), queryset=Tag.objects.all(), required=False)
    # The ticked rows (inputs named "customers") are not a field: the service checks them
    # against the user's scope, so that an id outside it is a 404 for the whole batch
    # rather than a form error naming it.

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owner_choices(user=user)
        self.fields["owner"].label_from_instance = lambda rep: rep.display_name
