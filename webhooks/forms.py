from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from webhooks.models import SUBSCRIBABLE_EVENTS, DeliveryStatus, Endpoint, WebhookEvent


class EndpointForm(forms.Form):
    """Checked again by the services (the URL rule lives in webhooks.safety)."""

    name = forms.CharField(label=_("Name"), max_length=100)
    url = forms.CharField(
        label=_("URL"),
        max_length=500,
        help_text=_("An https:// address of the receiving system."),
        widget=forms.URLInput(attrs={"placeholder": "https://", "inputmode": "url"}),
    )
    events = forms.MultipleChoiceField(
        label=pgettext_lazy("webhook", "Events"),
        choices=[(event.value, event.label) for event in SUBSCRIBABLE_EVENTS],
        widget=forms.CheckboxSelectMultiple,
    )
    is_active = forms.BooleanField(
        label=pgettext_lazy("webhook endpoint", "Active"), required=False, initial=True
    )


class DeliveryFilterForm(forms.Form):
    endpoint = forms.ModelChoiceField(
        label=_("Endpoint"),
        queryset=Endpoint.objects.order_by("name"),
        required=False,
        empty_label=_("Any"),
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    event = forms.ChoiceField(
        label=pgettext_lazy("webhook", "Event"),
        choices=[("", _("Any")), *WebhookEvent.choices],
        required=False,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("Any")), *DeliveryStatus.choices],
        required=False,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
