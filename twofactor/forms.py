from django import forms
from django.utils.translation import gettext_lazy as _


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code from the app, or a recovery code"),
        max_length=32,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "autocapitalize": "off",
                "spellcheck": "false",
                "autofocus": True,
                "class": "twofactor-code",
            }
        ),
    )


class AuthenticatorCodeForm(CodeForm):
    """Set-up: the first 6-digit code the new authenticator shows."""

    code = forms.CharField(
        label=_("6-digit code from the app"),
        max_length=16,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "class": "twofactor-code",
            }
        ),
    )


class ResetForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. lost phone")}),
    )
