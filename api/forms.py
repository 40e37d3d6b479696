from crispy_forms.helper import FormHelper
from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Team
from api.models import ServiceAccount
from api.scopes import ALL_SCOPES, scope_choices
from api.services import PERSONAL_MAX_DAYS, SERVICE_MAX_DAYS


def _helper() -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    return helper


class PersonalTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("Where you will use it, e.g. “my phone” or “Excel report”."),
    )
    scopes = forms.MultipleChoiceField(
        label=_("What it may do"), widget=forms.CheckboxSelectMultiple
    )
    days = forms.IntegerField(
        label=_("Valid for (days)"), min_value=1, max_value=PERSONAL_MAX_DAYS, initial=90
    )

    def __init__(self, *args, allowed, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scopes"].choices = scope_choices(allowed)
        self.fields["scopes"].help_text = _(
            "Only what your role allows. The token sees exactly the customers you see."
        )
        self.helper = _helper()


class ServiceAccountForm(forms.Form):
    name = forms.CharField(label=_("Integration"), max_length=100)
    description = forms.CharField(label=_("What it is for"), max_length=200, required=False)
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"), widget=forms.CheckboxSelectMultiple, choices=scope_choices(ALL_SCOPES)
    )
    team = forms.ModelChoiceField(
        label=_("Owner scope"),
        queryset=Team.objects.all(),
        required=False,
        empty_label=_("All customers"),
        help_text=_("All customers, or only the customers of one team's reps."),
    )
    daily_row_limit = forms.IntegerField(
        label=_("Customer rows it may read per day"),
        min_value=1,
        initial=1000,
        help_text=_("Past this in 24 hours its reads are refused and managers are alerted."),
    )

    def __init__(self, *args, account: ServiceAccount | None = None, **kwargs):
        if account is not None:
            kwargs.setdefault(
                "initial",
                {
                    "name": account.user.display_name,
                    "description": account.description,
                    "scopes": account.scopes,
                    "team": account.user.team_id,
                    "daily_row_limit": account.daily_row_limit,
                },
            )
        super().__init__(*args, **kwargs)
        if account is not None:
            self.fields["name"].disabled = True
        self.helper = _helper()


class ServiceTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=100, help_text=_("E.g. “production” or “test system”.")
    )
    days = forms.IntegerField(
        label=_("Valid for (days)"), min_value=1, max_value=SERVICE_MAX_DAYS, initial=365
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()
