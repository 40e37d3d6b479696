from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from privacy.models import ConsentMethod


class GiveConsentForm(forms.Form):
    purposes = forms.MultipleChoiceField(
        label=_("Purposes agreed to"), widget=forms.CheckboxSelectMultiple
    )
    method = forms.ChoiceField(
        label=_("How"), choices=ConsentMethod.choices, widget=forms.RadioSelect
    )
    text = forms.ModelChoiceField(label=_("Text version consented to"), queryset=None)
    given_at = forms.DateTimeField(
        label=_("When"),
        required=False,
        help_text=_("Leave empty for now; for a paper form, the date it was signed."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )

    def __init__(self, *args, open_purposes, texts, **kwargs):
        super().__init__(*args, prefix="give", **kwargs)
        self.fields["purposes"].choices = [(p.value, p.label) for p in open_purposes]
        self.fields["text"].queryset = texts
        self.fields["text"].initial = texts.first()

    def clean_given_at(self):
        value = self.cleaned_data["given_at"]
        return timezone.make_aware(value) if value and timezone.is_naive(value) else value


class WithdrawConsentForm(forms.Form):
    purposes = forms.MultipleChoiceField(
        label=_("Purposes withdrawn"), widget=forms.CheckboxSelectMultiple
    )
    method = forms.ChoiceField(
        label=_("How"), choices=ConsentMethod.choices, widget=forms.RadioSelect
    )

    def __init__(self, *args, given_purposes, **kwargs):
        super().__init__(*args, prefix="withdraw", **kwargs)
        self.fields["purposes"].choices = [(p.value, p.label) for p in given_purposes]
