"""Forms for managers' staff accounts (customers.services.staff)."""

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.utils.translation import gettext_lazy as _

from accounts.models import Team
from accounts.roles import ROLE_LABELS


class StaffChangeForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=list(ROLE_LABELS.items()))
    team = forms.ModelChoiceField(
        label=_("Team"), queryset=Team.objects.order_by("name"), required=False
    )


class StaffCreateForm(StaffChangeForm):
    field_order = ["full_name", "username", "email", "role", "team"]

    full_name = forms.CharField(label=_("Full name"), max_length=100)
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        validators=[UnicodeUsernameValidator()],
        help_text=_("What they type to sign in: letters, digits and @ . + - _ only."),
    )
    email = forms.EmailField(
        label=_("E-mail"), help_text=_("The link to choose a password is sent here.")
    )

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        if get_user_model().objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("This username is already taken."))
        return username
