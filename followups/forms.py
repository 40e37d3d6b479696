import datetime

from crispy_forms.helper import FormHelper
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Team
from customers.forms import DateInput, DateTimeInput
from customers.models import (
    ContactChannel,
    ContactOutcome,
    Destination,
    Grade,
    ServiceRecord,
)
from followups.models import CatalogueMailing, CustomerEvent, KeyAccountRecord
from followups.selectors_care import UNGRADED


def _grades_field(**kwargs) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=_("grades"),
        choices=[*Grade.choices, (UNGRADED, _("Not graded yet"))],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        **kwargs,
    )


def _helper() -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    return helper


class CompleteForm(forms.Form):
    """One-click completion: the defaults say "reached, by the suggested channel"."""

    outcome = forms.ChoiceField(
        label=_("outcome"), choices=ContactOutcome.choices, initial=ContactOutcome.REACHED
    )
    channel = forms.ChoiceField(label=_("channel"), choices=ContactChannel.choices, required=False)
    notes = forms.CharField(
        label=_("notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    next_step = forms.CharField(label=_("next step"), max_length=200, required=False)
    next_contact_on = forms.DateField(
        label=_("next contact on"), required=False, widget=DateInput()
    )


class RescheduleForm(forms.Form):
    due_on = forms.DateField(label=_("new date"), widget=DateInput())
    reason = forms.CharField(label=_("reason"), max_length=300)


class SnoozeForm(forms.Form):
    """My day's snooze: a later day (a quick choice of days, or a date) and why."""

    days = forms.TypedChoiceField(
        label=_("snooze for"),
        choices=[(1, _("1 day")), (3, _("3 days")), (7, _("a week"))],
        coerce=int,
        required=False,
    )
    until = forms.DateField(label=_("postpone to"), required=False, widget=DateInput())
    reason = forms.CharField(label=_("reason"), max_length=300)

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("until"):
            if not cleaned.get("days"):
                raise forms.ValidationError(_("Choose how long it waits."))
            cleaned["until"] = timezone.localdate() + datetime.timedelta(days=cleaned["days"])
        return cleaned


class GreetingsBulkForm(forms.Form):
    """The selected greetings: mark them sent, or move them to one date with a reason."""

    action = forms.ChoiceField(choices=[("sent", "sent"), ("reschedule", "reschedule")])
    selected = forms.TypedMultipleChoiceField(coerce=int, choices=(), required=True)
    due_on = forms.DateField(label=_("new date"), required=False, widget=DateInput())
    reason = forms.CharField(label=_("reason"), max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Any ids: whether each may be touched is the selector's question (404 if not).
        values = self.data.getlist("selected") if hasattr(self.data, "getlist") else []
        self.fields["selected"].choices = [(value, value) for value in values]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("action") == "reschedule" and not cleaned.get("due_on"):
            self.add_error("due_on", _("Give the new date."))
        return cleaned


class SkipForm(forms.Form):
    reason = forms.CharField(label=_("reason"), max_length=300)


class AppointmentForm(forms.Form):
    appointment_at = forms.DateTimeField(
        label=_("appointment agreed by phone for"), widget=DateTimeInput()
    )
    note = forms.CharField(label=_("who confirmed, where"), max_length=200, required=False)

    def clean_appointment_at(self):
        value = self.cleaned_data["appointment_at"]
        if value < timezone.now() - datetime.timedelta(days=1):
            raise forms.ValidationError(_("An appointment is for today or later."))
        return value


class KeyAccountRecordForm(forms.ModelForm):
    class Meta:
        model = KeyAccountRecord
        fields = [
            "visit_date",
            "agency_attendees",
            "customer_attendees",
            "topics",
            "opinions",
            "issues",
            "commitments",
            "next_visit_on",
        ]
        widgets = {
            "visit_date": DateInput(),
            "next_visit_on": DateInput(),
            "topics": forms.Textarea(attrs={"rows": 3}),
            "opinions": forms.Textarea(attrs={"rows": 3}),
            "issues": forms.Textarea(attrs={"rows": 3}),
            "commitments": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["visit_date"].initial = timezone.localdate()
        self.helper = _helper()

    def clean(self):
        cleaned = super().clean()
        visit, following = cleaned.get("visit_date"), cleaned.get("next_visit_on")
        if visit and following and following <= visit:
            self.add_error("next_visit_on", _("The next visit comes after this one."))
        return cleaned


class FeedbackForm(forms.ModelForm):
    """Reception: the customer is chosen on the customer page's link."""

    class Meta:
        model = ServiceRecord
        fields = ["kind", "source_channel", "booking", "occurred_at", "summary", "details"]
        widgets = {
            "occurred_at": DateTimeInput(),
            "details": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, customer, assignees, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source_channel"].required = True
        self.fields["occurred_at"].initial = timezone.localtime().replace(second=0, microsecond=0)
        self.fields["booking"].queryset = customer.bookings.order_by("-start_date")
        self.fields["assigned_to"] = forms.ModelChoiceField(
            label=_("assign to"), queryset=assignees, required=False,
            help_text=_("Empty: the customer's owner."),
        )  # fmt: skip
        self.helper = _helper()


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(label=_("assign to"), queryset=None)

    def __init__(self, *args, assignees, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = assignees


class RespondForm(forms.Form):
    response = forms.CharField(
        label=_("response to the customer"), widget=forms.Textarea(attrs={"rows": 3})
    )


class HandleForm(forms.Form):
    resolution = forms.CharField(
        label=_("handling and resolution"), widget=forms.Textarea(attrs={"rows": 3})
    )
    correction = forms.CharField(
        label=_("correction (整改)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class CustomerFilterForm(forms.Form):
    """Who to invite or mail: grade, key accounts, team, desired destination."""

    grades = _grades_field()
    key_accounts_only = forms.BooleanField(label=_("key accounts only"), required=False)
    team = forms.ModelChoiceField(label=_("team"), queryset=Team.objects.all(), required=False)
    destinations = forms.ModelMultipleChoiceField(
        label=_("wishes to go to"),
        queryset=Destination.objects.order_by("name"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()


class EventForm(forms.ModelForm):
    class Meta:
        model = CustomerEvent
        fields = ["name", "starts_at", "venue", "description"]
        widgets = {"starts_at": DateTimeInput(), "description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()


class MailingForm(forms.ModelForm):
    grade_choices = _grades_field(help_text=_("Empty: every grade."))
    destination_choices = forms.ModelMultipleChoiceField(
        label=_("customers who wish to go to"),
        queryset=Destination.objects.order_by("name"),
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("The new product's destinations: customers who wish to go to any of them."),
    )

    class Meta:
        model = CatalogueMailing
        fields = ["title", "product", "mailed_on", "key_accounts_only", "team"]
        widgets = {"mailed_on": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mailed_on"].initial = timezone.localdate()
        self.helper = _helper()

    def clean(self):
        cleaned = super().clean()
        self.instance.grades = ",".join(cleaned.get("grade_choices") or [])
        return cleaned


class WarningHandleForm(forms.Form):
    note = forms.CharField(
        label=_("what was done"),
        max_length=1000,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. called Mr Li, new quote sent")}),
    )
