from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from customers.forms import DateInput
from privacy.models import RequestChannel, RequestKind, RequestStatus


class RightsRequestForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("The person asks for"), choices=RequestKind.choices, widget=forms.RadioSelect
    )
    received_on = forms.DateField(
        # ISO in every language: a date box shows nothing for zh-hans's 2026/12/02.
        label=_("Received on"),
        widget=DateInput(),
    )
    channel = forms.ChoiceField(label=_("Received by"), choices=RequestChannel.choices)
    requester = forms.CharField(
        label=_("Asked by"),
        max_length=200,
        required=False,
        help_text=_(
            "Leave empty when the person asked themselves; otherwise who and on what authority."
        ),
    )
    details = forms.CharField(
        label=_("What the person asks"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["received_on"].initial = timezone.localdate()


class RightsRequestCloseForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Close as"),
        choices=[
            (RequestStatus.DONE.value, RequestStatus.DONE.label),
            (RequestStatus.REFUSED.value, RequestStatus.REFUSED.label),
        ],
        widget=forms.RadioSelect,
    )
    outcome = forms.CharField(
        label=_("Outcome"),
        help_text=_(
            "What was done (what was corrected, which consents were withdrawn, when the "
            "copy was handed over), or why the request was refused."
        ),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
