from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from accounts.models import Team
from customers.models import Grade
from tiers.models import ChangeType, ProposalStatus
from tiers.selectors import report_owner_choices, report_team_choices


class _UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return getattr(obj, "display_name", None) or obj.get_username()


class _BootstrapMixin:
    """Bootstrap classes for forms laid out by hand in a row of filters."""

    def _style(self):
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)


class ReportFilterForm(_BootstrapMixin, forms.Form):
    month = forms.TypedChoiceField(label=_("Month"), required=False)
    team = forms.ModelChoiceField(
        label=_("Team"), queryset=Team.objects.none(), required=False, empty_label=_("Any")
    )
    owner = _UserChoiceField(
        label=_("Owner"),
        queryset=get_user_model().objects.none(),
        required=False,
        empty_label=_("Any"),
    )

    def __init__(self, data=None, *, user, months):
        super().__init__(data)
        self.months = months
        self.fields["month"].choices = [(m.isoformat(), f"{m:%Y-%m}") for m in months]
        self.fields["team"].queryset = report_team_choices(user=user)
        self.fields["owner"].queryset = report_owner_choices(user=user)
        self._style()

    def chosen_month(self):
        if self.is_valid() and self.cleaned_data["month"]:
            return next(m for m in self.months if m.isoformat() == self.cleaned_data["month"])
        return self.months[0] if self.months else None


class ProposalFilterForm(_BootstrapMixin, forms.Form):
    status = forms.ChoiceField(
        label=_("Decision"),
        required=False,
        choices=[("", _("Any")), *ProposalStatus.choices],
        initial=ProposalStatus.PENDING,
    )
    change_type = forms.ChoiceField(
        label=_("Change"), required=False, choices=[("", _("Any")), *ChangeType.choices]
    )
    team = forms.ModelChoiceField(
        label=_("Team"),
        queryset=Team.objects.order_by("name"),
        required=False,
        empty_label=_("Any"),
    )
    min_spend = forms.DecimalField(label=_("12-month spend from (¥)"), required=False, min_value=0)
    max_spend = forms.DecimalField(label=_("up to (¥)"), required=False, min_value=0)
    poor_value = forms.ChoiceField(
        label=_("Value"),
        required=False,
        choices=[("", _("Any")), ("1", _("Large but poor value"))],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()

    def clean(self):
        cleaned = super().clean()
        low, high = cleaned.get("min_spend"), cleaned.get("max_spend")
        if low is not None and high is not None and low > high:
            raise forms.ValidationError(_("The lower amount is above the upper one."))
        return cleaned


class _IdsField(forms.Field):
    """Proposal ids from checkboxes; the view keeps only those in the filtered list."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        try:
            return [int(item) for item in value or []]
        except (TypeError, ValueError):
            raise forms.ValidationError(_("Invalid selection.")) from None


class DecisionForm(forms.Form):
    APPROVE_SELECTED = "approve_selected"
    APPROVE_ALL = "approve_all"
    OVERRIDE = "override"
    ACTIONS = [
        (APPROVE_SELECTED, _("Approve selected")),
        (APPROVE_ALL, _("Approve all shown")),
        (OVERRIDE, _("Override selected")),
    ]
    REJECT = "reject"

    action = forms.ChoiceField(choices=ACTIONS)
    selected = _IdsField(required=False)
    grade = forms.ChoiceField(
        label=_("Instead"),
        required=False,
        choices=[("", "—"), (REJECT, _("Reject: keep the current grade")), *Grade.choices],
    )
    note = forms.CharField(label=_("Reason for the override"), required=False, max_length=300)

    def clean(self):
        cleaned = super().clean()
        action = cleaned.get("action")
        if action in (self.APPROVE_SELECTED, self.OVERRIDE) and not cleaned.get("selected"):
            raise forms.ValidationError(_("Select at least one proposal."))
        if action == self.OVERRIDE:
            if not cleaned.get("grade"):
                self.add_error("grade", _("Choose another grade, or reject."))
            if not (cleaned.get("note") or "").strip():
                self.add_error("note", _("An override needs a reason."))
        return cleaned


class GradeOverrideForm(forms.Form):
    grade = forms.ChoiceField(label=_("Grade"), choices=Grade.choices)
    reason = forms.CharField(
        label=_("Reason"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Word-of-mouth influence, brand loyalty, a key contact… Shown in the history."),
    )
