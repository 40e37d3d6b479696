"""The forms of the import pages: upload a file, choose a sheet, map its columns, commit."""

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from accounts.roles import TEAM_LEAD, has_role, is_manager
from customers.selectors import owner_choices
from imports.models import ImportKind
from imports.services import import_allowed

ACCEPTED_SUFFIXES = (".xlsx", ".csv")


def can_choose_owner(user) -> bool:
    """Managers import for anyone, team leads for their team; a rep's imports are theirs."""
    return is_manager(user) or has_role(user, TEAM_LEAD)


def importable_kinds(user) -> list[tuple[str, str]]:
    return [
        (kind, label) for kind, label in ImportKind.choices if import_allowed(user=user, kind=kind)
    ]


class OwnerField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.display_name} ({obj.username})"


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("What the file holds"), choices=ImportKind.choices)
    file = forms.FileField(
        label=_("File"),
        help_text=_("An Excel workbook (.xlsx) or a CSV file; Chinese Excel's GBK CSV is fine."),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(ACCEPTED_SUFFIXES)}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = importable_kinds(user)
        if can_choose_owner(user):
            self.fields["owner"] = OwnerField(
                label=_("Owner of new customers"),
                queryset=owner_choices(user=user),
                required=False,
                empty_label=_("From the file's owner column, otherwise me"),
                help_text=_("Rows for customers already in the archive keep their owner."),
            )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        name = (upload.name or "").lower()
        if name.endswith(".xls"):
            raise forms.ValidationError(
                _(
                    "This is an old Excel 97-2003 file (.xls). Open it in Excel or WPS, "
                    "choose Save As, pick “Excel Workbook (*.xlsx)” and upload that file."
                )
            )
        if not name.endswith(ACCEPTED_SUFFIXES):
            raise forms.ValidationError(_("Upload an Excel workbook (.xlsx) or a CSV file (.csv)."))
        return upload


class SheetForm(forms.Form):
    sheet = forms.ChoiceField(label=_("Sheet"))

    def __init__(self, *args, sheets, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sheet"].choices = [(name, name) for name in sheets]


class MappingForm(forms.Form):
    """One select per column of the file (fields col_0, col_1, … in the file's order:
    headers can repeat or hold any character, so they are not field names)."""

    mapping_name = forms.CharField(
        label=_("Save this mapping as"),
        max_length=100,
        required=False,
        help_text=_("A name, e.g. “Finance ledger”, to apply it to the next file."),
    )

    def __init__(self, *args, headers, fields, mapping, **kwargs):
        super().__init__(*args, **kwargs)
        self.headers = list(headers)
        self.target_fields = list(fields)
        choices = [("", _("— not imported —"))] + [
            (field.name, f"{capfirst(field.label)} *" if field.required else capfirst(field.label))
            for field in self.target_fields
        ]
        self.column_names = []
        for index, header in enumerate(self.headers):
            name = f"col_{index}"
            self.column_names.append(name)
            self.fields[name] = forms.ChoiceField(
                label=header or _("(column %(number)d without a header)") % {"number": index + 1},
                choices=choices,
                required=False,
                initial=(mapping or {}).get(header, ""),
            )

    def rows(self):
        """(header, bound field) for each column, for the template's table."""
        return [
            (header, self[name])
            for header, name in zip(self.headers, self.column_names, strict=True)
        ]

    def clean(self):
        cleaned = super().clean()
        seen: dict[str, str] = {}
        labels = {field.name: field.label for field in self.target_fields}
        for header, name in zip(self.headers, self.column_names, strict=True):
            target = cleaned.get(name) or ""
            if not target:
                continue
            if target in seen:
                self.add_error(
                    name,
                    _("“%(field)s” is already filled from the column “%(other)s”.")
                    % {"field": labels.get(target, target), "other": seen[target]},
                )
            else:
                seen[target] = header
        missing = [
            str(field.label)
            for field in self.target_fields
            if field.required and field.name not in seen
        ]
        if missing and self.data.get("action") == "check":
            raise forms.ValidationError(
                _("Choose a column for every required field: %(fields)s.")
                % {"fields": pgettext("list separator", ", ").join(missing)}
            )
        return cleaned

    def current_targets(self) -> list[str]:
        """The fields chosen now: what was posted, else the pre-filled suggestion."""
        if self.is_bound:
            return [self.data.get(name) or "" for name in self.column_names]
        return [self.fields[name].initial or "" for name in self.column_names]

    def mapping(self) -> dict[str, str]:
        """{header: field or ""}, the shape the services take."""
        return {
            header: self.cleaned_data.get(name) or ""
            for header, name in zip(self.headers, self.column_names, strict=True)
        }


class CommitForm(forms.Form):
    choice = forms.ChoiceField(choices=[("all", "all"), ("valid", "valid")])
