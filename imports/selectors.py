"""Reads of the imports app. Own imports only; managers see every import."""

from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.http import Http404

from accounts.roles import is_manager
from imports.fields import FieldInfo, choice_labels, fields_for
from imports.models import ImportJob, ImportMapping


def import_job_list(*, user) -> QuerySet[ImportJob]:
    if not getattr(user, "is_authenticated", False):
        return ImportJob.objects.none()
    jobs = ImportJob.objects.select_related("created_by", "owner")
    return jobs if is_manager(user) else jobs.filter(created_by=user)


def import_job_get(*, user, pk: Any) -> ImportJob:
    try:
        return import_job_list(user=user).get(pk=pk)
    except (ImportJob.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def import_mapping_list(*, kind: str) -> QuerySet[ImportMapping]:
    return ImportMapping.objects.filter(kind=kind).order_by("name")


def import_kind_fields(kind: str) -> list[FieldInfo]:
    """The field catalogue for the mapping step, labels in the active language."""
    return [
        FieldInfo(
            name=spec.name,
            label=str(spec.label),
            required=spec.required,
            choices=(
                [(code, str(label)) for code, label in spec.choices.choices]
                if spec.choices is not None
                else []
            ),
            help=str(spec.help) if spec.help else "",
        )
        for spec in fields_for(kind)
    ]


def report_problems(job: ImportJob, language: str | None = None) -> list[dict]:
    """The report's problems as display rows in `language` (the active one by default):
    row, column, value, message."""
    from django.utils import translation

    language = language or translation.get_language() or settings.LANGUAGE_CODE
    rows = []
    for problem in (job.report or {}).get("problems", []):
        messages = problem.get("message", {})
        message = messages.get(language) or messages.get(settings.LANGUAGE_CODE) or ""
        if not message and messages:
            message = next(iter(messages.values()))
        rows.append(
            {
                "row": problem.get("row"),
                "column": problem.get("column", ""),
                "value": problem.get("value", ""),
                "message": message,
            }
        )
    return rows


__all__ = [
    "choice_labels",
    "import_job_get",
    "import_job_list",
    "import_kind_fields",
    "import_mapping_list",
    "report_problems",
]
