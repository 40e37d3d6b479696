from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row, Submit
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from archives.models import DocumentKind, TourGroup
from archives.selectors import bookings_for_tour_choice
from archives.uploads import check_upload
from customers.forms import DateInput

# The picker shows at most this many bookings; the search above it narrows them.
BOOKING_CHOICES_SHOWN = 300


# The largest primary key a database column holds; a longer number is "not a choice",
# not an OverflowError from SQLite.
MAX_ID = 2**63 - 1


def _in_id_range(value) -> bool:
    text = str(value).strip()
    return text.isdigit() and int(text) <= MAX_ID


class BookingChoiceField(forms.ModelMultipleChoiceField):
    def _check_values(self, value):
        for pk in value:
            if not _in_id_range(pk):
                raise ValidationError(
                    self.error_messages["invalid_pk_value"], code="invalid_pk_value",
                    params={"pk": pk},
                )  # fmt: skip
        return super()._check_values(value)

    def label_from_instance(self, obj):
        return (
            f"{obj.customer.name} · {obj.product} · {obj.start_date:%Y-%m-%d} · ×{obj.head_count}"
        )


class TourGroupForm(forms.ModelForm):
    bookings = BookingChoiceField(
        queryset=None,
        label=_("travellers (bookings)"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The bookings of the customers this group carried."),
    )

    class Meta:
        model = TourGroup
        fields = [
            "group_number",
            "product",
            "trip_type",
            "start_date",
            "end_date",
            "head_count",
            "ground_agency",
            "guide",
        ]
        widgets = {"start_date": DateInput(), "end_date": DateInput()}

    def __init__(self, *args, user, departure=None, product="", **kwargs):
        super().__init__(*args, **kwargs)
        choices = bookings_for_tour_choice(user=user)
        field = self.fields["bookings"]
        # Any visible, unassigned booking is accepted; only a narrowed list is shown.
        field.queryset = choices
        shown = choices
        if departure:
            shown = shown.filter(start_date=departure)
        if product:
            shown = shown.filter(product__icontains=product)
        shown = list(shown[:BOOKING_CHOICES_SHOWN])
        # Keep what was ticked on a re-displayed form, even outside the narrowed list.
        picked = [value for value in self["bookings"].value() or [] if _in_id_range(value)]
        shown += choices.filter(pk__in=picked).exclude(pk__in=[b.pk for b in shown])
        field.widget.choices = [(b.pk, field.label_from_instance(b)) for b in shown]
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Row(Column("group_number"), Column("product"), Column("trip_type")),
            Row(Column("start_date"), Column("end_date"), Column("head_count")),
            Row(Column("ground_agency"), Column("guide")),
            "bookings",
            Submit("save", _("Create tour group")),
        )


class TourGroupAdminForm(forms.ModelForm):
    """The admin's tour form: the tour's fields and why they change (kept with a
    keep-until change, and shown to the manager who decides an earlier one)."""

    retention_reason = forms.CharField(
        label=_("reason for the change"),
        required=False,
        max_length=2000,
        widget=forms.Textarea({"rows": 2}),
        help_text=_(
            "If a new end date or trip type would keep the archive for a shorter time, a "
            "manager must approve it; say why."
        ),
    )

    class Meta:
        model = TourGroup
        fields = ["group_number", "product", "trip_type", "start_date", "end_date",
                  "head_count", "ground_agency", "guide"]  # fmt: skip


class DocumentForm(forms.Form):
    """One document for one checklist row: a file, or where the paper original is kept."""

    kind = forms.ChoiceField(choices=DocumentKind.choices, widget=forms.HiddenInput)
    file = forms.FileField(label=_("file"), required=False)
    paper_location = forms.CharField(
        label=_("or: paper original kept at"),
        max_length=200,
        required=False,
        help_text=_("Cabinet, shelf and folder."),
    )
    reference = forms.CharField(
        label=_("number / reference"),
        max_length=100,
        required=False,
        help_text=_("For example the contract number."),
    )
    notes = forms.CharField(label=_("notes"), required=False, widget=forms.Textarea({"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload:
            check_upload(upload)
        return upload

    def clean(self):
        cleaned = super().clean()
        has_file = bool(cleaned.get("file")) or "file" in self.errors
        has_paper = bool((cleaned.get("paper_location") or "").strip())
        if has_file == has_paper:
            raise ValidationError(
                _("Upload a file or say where the paper original is kept, not both."),
                code="file_xor_paper",
            )
        return cleaned


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("reason"),
        widget=forms.Textarea({"rows": 3}),
        max_length=2000,
    )


class RetentionDecisionForm(forms.Form):
    """A manager's answer to an earlier keep-until date: approve or refuse, with a reason."""

    decision = forms.ChoiceField(
        label=_("decision"),
        choices=[("approve", _("Approve")), ("refuse", _("Refuse"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("reason"),
        widget=forms.Textarea({"rows": 2}),
        max_length=2000,
    )
