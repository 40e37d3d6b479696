"""The import pages: list, upload, map, check (with its progress), commit, downloads.

Thin: every write goes through imports.services (which check who may do what and audit
it), every read through imports.selectors (which scope a job to the people who may see
it: another rep's import is 404). The long steps run as the import_job_run task, queued
when the request's transaction commits; the job page polls a small JSON status."""

import datetime
import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.http import content_disposition_header
from django.utils.text import capfirst
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from accounts.roles import require_page
from customers.audit import audit_record
from customers.masking import mask_id_number
from customers.models import AuditAction
from customers.services import MassActionRefused, personal_data_export_record
from customers.validators import ID_PATTERN, normalize_id_number
from imports.forms import (
    CommitForm,
    MappingForm,
    SheetForm,
    UploadForm,
    can_choose_owner,
    importable_kinds,
)
from imports.models import ImportJob, ImportKind, ImportStatus
from imports.selectors import (
    import_job_get,
    import_job_list,
    import_kind_fields,
    import_mapping_list,
    report_problems,
)
from imports.services import (
    import_job_create,
    import_job_map,
    import_mapping_apply,
    import_mapping_save,
    import_refused_rows_xlsx,
    import_template_xlsx,
)
from imports.tasks import import_job_run

log = logging.getLogger(__name__)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PROBLEMS_PER_PAGE = 100
QUEUED = "imports_queued"  # session: {job pk: when its check/commit was queued}
STEPS = [
    ("upload", _("Upload")),
    ("map", _("Map the columns")),
    ("check", pgettext_lazy("import step", "Check")),
    ("import", pgettext_lazy("import step", "Import")),
]


def _render(request, template_name: str, context: dict, status: int = 200):
    return render(request, template_name, {"steps": STEPS, **context}, status=status)


def _require_importer(request) -> None:
    """Those who may import something (reps, team leads, managers; finance, bookings)
    use the pages; for anyone else they do not exist."""
    require_page(bool(importable_kinds(request.user)))


def _job(request, pk) -> ImportJob:
    _require_importer(request)
    return import_job_get(user=request.user, pk=pk)


def _may_act(request, job: ImportJob) -> bool:
    """The one who uploaded a file maps, checks and commits it (the background run acts
    as them); a manager looking at someone else's import reads it."""
    return job.created_by_id == request.user.pk


def _require_act(request, job: ImportJob) -> None:
    if not _may_act(request, job):
        raise PermissionDenied(gettext("Only the person who uploaded this file can do this."))


def _error_text(error: ValidationError | PermissionDenied) -> str:
    if isinstance(error, ValidationError):
        return " ".join(str(message) for message in error.messages)
    return str(error) or gettext("You may not do this.")


def _queue(request, job: ImportJob, action: str) -> None:
    """Run the step in the background once this request's writes are committed. Until
    the worker picks it up the job still shows its previous status, so the session
    remembers that a run was asked for: the job page waits for it instead of showing
    the old state (with the eager default the run is over before the redirect)."""
    queued = dict(request.session.get(QUEUED) or {})
    queued[str(job.pk)] = [timezone.now().isoformat(), action]
    request.session[QUEUED] = dict(list(queued.items())[-20:])
    job_id = job.pk
    transaction.on_commit(lambda: import_job_run.delay(job_id, action))


def _waiting_for(request, job: ImportJob) -> str:
    """The action ("check", "commit", "commit_valid") queued from this session that has
    neither started nor finished; "" when there is none."""
    if job.is_running:
        return ""
    try:
        when, action = (request.session.get(QUEUED) or {})[str(job.pk)]
        queued_at = datetime.datetime.fromisoformat(when)
    except (KeyError, TypeError, ValueError):
        return ""
    if job.finished_at and job.finished_at >= queued_at:
        return ""
    # A worker that never came is not waited for forever.
    return action if timezone.now() - queued_at < datetime.timedelta(hours=1) else ""


def _waiting(request, job: ImportJob) -> bool:
    return bool(_waiting_for(request, job))


def _counts(job: ImportJob) -> dict[str, int]:
    counts = (job.report or {}).get("counts") or {}
    return {key: int(counts.get(key) or 0) for key in ("new", "updated", "unchanged", "refused")}


def _progress_text(job: ImportJob, waiting: bool) -> str:
    if waiting:
        return gettext("Waiting for the import worker to start…")
    done = number_format(job.progress_done, force_grouping=True)
    total = number_format(job.progress_total, force_grouping=True)
    if job.status == ImportStatus.COMMITTING:
        return gettext("Importing: %(done)s of %(total)s rows") % {"done": done, "total": total}
    return gettext("Checking: %(done)s of %(total)s rows") % {"done": done, "total": total}


def _masked(job: ImportJob, problems: list[dict]) -> list[dict]:
    """ID numbers in the problem table as every page shows them, the last four only
    (customers.masking): the cells of an ID-number column, and any value that is one."""
    id_columns = {
        header for header, field in (job.mapping or {}).items() if field.endswith("id_number")
    }
    for problem in problems:
        value = str(problem.get("value") or "")
        if value and (
            problem.get("column") in id_columns or ID_PATTERN.match(normalize_id_number(value))
        ):
            problem["value"] = mask_id_number(normalize_id_number(value) or value)
    return problems


# --- Pages ------------------------------------------------------------------------------


@login_required
@require_GET
def job_list(request):
    _require_importer(request)
    page = Paginator(import_job_list(user=request.user), 30).get_page(request.GET.get("page"))
    for job in page:
        job.counts = _counts(job)
    return render(
        request,
        "imports/job_list.html",
        {
            "page": page,
            "kinds": importable_kinds(request.user),
            "see_all": can_choose_owner(request.user),
        },
    )


@login_required
def upload(request):
    _require_importer(request)
    kinds = dict(importable_kinds(request.user))
    form = UploadForm(
        request.POST or None,
        request.FILES or None,
        user=request.user,
        initial={"kind": request.GET.get("kind") if request.GET.get("kind") in kinds else None},
    )
    if request.method == "POST" and form.is_valid():
        try:
            job = import_job_create(
                actor=request.user,
                upload=form.cleaned_data["file"],
                kind=form.cleaned_data["kind"],
                owner=form.cleaned_data.get("owner"),
            )
        except ValidationError as error:
            if (
                hasattr(error, "error_dict")
                and "owner" in error.error_dict
                and "owner" in form.fields
            ):
                form.add_error("owner", error.error_dict["owner"])
            else:
                form.add_error("file", _error_text(error))
        except PermissionDenied as error:
            form.add_error(None, _error_text(error))
        except Exception:
            # A file no reader understands must read as a message, never a 500.
            log.exception("Import upload of %r could not be read", form.cleaned_data["file"].name)
            form.add_error(
                "file",
                gettext(
                    "This file could not be read as a spreadsheet. Open it in Excel or WPS, "
                    "save it as an Excel workbook (.xlsx) and upload it again."
                ),
            )
        else:
            return redirect("imports:map", pk=job.pk)
    status = 400 if request.method == "POST" else 200
    return _render(
        request, "imports/upload.html", {"form": form, "kinds": kinds.items()}, status=status
    )


def _mapping_form(job: ImportJob, *, data=None, mapping=None) -> MappingForm:
    return MappingForm(
        data,
        headers=job.headers or [],
        fields=import_kind_fields(job.kind),
        mapping=job.mapping if mapping is None else mapping,
    )


def _map_page(request, job: ImportJob, form: MappingForm, *, sheet_form=None, status=200):
    fields = import_kind_fields(job.kind)
    chosen = set(form.current_targets())
    if sheet_form is None and len(job.sheets or []) > 1:
        sheet_form = SheetForm(initial={"sheet": job.sheet}, sheets=job.sheets)
    return _render(
        request,
        "imports/map.html",
        {
            "job": job,
            "form": form,
            "sheet_form": sheet_form,
            "saved_mappings": import_mapping_list(kind=job.kind),
            "required_fields": [
                {"label": capfirst(field.label), "mapped": field.name in chosen}
                for field in fields
                if field.required
            ],
        },
        status=status,
    )


@login_required
def map_columns(request, pk):
    job = _job(request, pk)
    if job.is_running or _waiting(request, job) or not _may_act(request, job):
        return redirect("imports:detail", pk=job.pk)
    if job.status == ImportStatus.COMMITTED:
        messages.info(
            request, gettext("This file has been imported. To import it again, upload it again.")
        )
        return redirect("imports:detail", pk=job.pk)
    if request.method != "POST":
        mapping = None
        chosen = request.GET.get("mapping")
        if chosen:
            template = (
                import_mapping_list(kind=job.kind)
                .filter(pk=chosen if chosen.isdigit() else 0)
                .first()
            )
            if template is None:
                raise Http404
            mapping = import_mapping_apply(job=job, template=template)
            messages.info(
                request,
                gettext("Applied the saved mapping “%(name)s”. Look it over, then check the file.")
                % {"name": template.name},
            )
        return _map_page(request, job, _mapping_form(job, mapping=mapping))

    action = request.POST.get("action")
    if action == "sheet":
        sheet_form = SheetForm(request.POST, sheets=job.sheets or [])
        if not sheet_form.is_valid():
            return _map_page(request, job, _mapping_form(job), sheet_form=sheet_form, status=400)
        try:
            import_job_map(
                actor=request.user, job=job, mapping={}, sheet=sheet_form.cleaned_data["sheet"]
            )
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, _error_text(error))
        except Exception:
            log.exception(
                "Import %s: sheet %r could not be read", job.pk, sheet_form.cleaned_data["sheet"]
            )
            messages.error(request, gettext("This sheet could not be read."))
        return redirect("imports:map", pk=job.pk)

    form = _mapping_form(job, data=request.POST)
    if not form.is_valid():
        return _map_page(request, job, form, status=400)
    mapping = form.mapping()
    try:
        if action == "save":
            name = form.cleaned_data["mapping_name"].strip()
            if not name:
                form.add_error("mapping_name", gettext("Give the mapping a name to save it."))
                return _map_page(request, job, form, status=400)
            with transaction.atomic():
                import_job_map(actor=request.user, job=job, mapping=mapping)
                import_mapping_save(actor=request.user, kind=job.kind, name=name, mapping=mapping)
            messages.success(
                request,
                gettext("Saved the mapping “%(name)s”: choose it for the next file.")
                % {"name": name},
            )
            return redirect("imports:map", pk=job.pk)
        with transaction.atomic():
            import_job_map(actor=request.user, job=job, mapping=mapping)
            _queue(request, job, "check")
    except (ValidationError, PermissionDenied) as error:
        form.add_error(None, _error_text(error))
        return _map_page(request, job, form, status=400)
    return redirect("imports:detail", pk=job.pk)


@login_required
@require_GET
def detail(request, pk):
    job = _job(request, pk)
    waiting_for = _waiting_for(request, job)
    waiting = bool(waiting_for)
    may_act = _may_act(request, job)
    if job.status == ImportStatus.UPLOADED and not waiting and may_act:
        return redirect("imports:map", pk=job.pk)
    report = job.report or {}
    counts = _counts(job)
    problems = Paginator(_masked(job, report_problems(job)), PROBLEMS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    refused = counts["refused"]
    job.counts = counts
    if problems.paginator.count and not may_act:
        # Someone else's file: its refused rows (names, mobiles) are personal data read.
        audit_record(
            actor=request.user,
            action=AuditAction.VIEW,
            obj=job,
            object_type="import",
            detail={"page": "import problems", "file": job.original_name},
        )
    return _render(
        request,
        "imports/detail.html",
        {
            "job": job,
            "waiting": waiting,
            "committing": job.status == ImportStatus.COMMITTING or waiting_for.startswith("commit"),
            "report": report,
            "counts": counts,
            "problems": problems,
            "problems_left_out": max(
                0, int(report.get("problems_total") or 0) - problems.paginator.count
            ),
            "running": job.is_running or waiting,
            "progress_text": _progress_text(job, waiting),
            "may_act": may_act,
            "can_commit": may_act and job.status == ImportStatus.CHECKED,
            "refused": refused,
            "valid_rows": max(0, int(report.get("rows") or 0) - refused),
            # Not once the file has expired (imports.services.retention).
            "can_download_refused": bool(report.get("refused_rows")) and bool(job.file),
        },
    )


@login_required
@require_GET
@never_cache
def status(request, pk):
    """What the progress bar polls: small, scoped like the page, never cached."""
    job = _job(request, pk)
    waiting = _waiting(request, job)
    running = job.is_running or waiting
    return JsonResponse(
        {
            "status": job.status,
            "status_label": str(job.get_status_display()),
            "running": running,
            "waiting": waiting,
            "done": job.progress_done,
            "total": job.progress_total,
            "percent": 0 if waiting else job.progress_percent,
            "text": _progress_text(job, waiting) if running else "",
            "url": reverse("imports:detail", args=[job.pk]),
        }
    )


@login_required
@require_POST
def commit(request, pk):
    job = _job(request, pk)
    form = CommitForm(request.POST)
    try:
        _require_act(request, job)
        if job.is_running or _waiting(request, job):
            raise ValidationError(gettext("This import is running; wait until it has finished."))
        if job.status != ImportStatus.CHECKED or not form.is_valid():
            raise ValidationError(gettext("Check the file first, then import it."))
        valid_only = form.cleaned_data["choice"] == "valid"
        if not valid_only and _counts(job)["refused"]:
            raise ValidationError(
                gettext(
                    "Some rows were refused, so importing everything would import nothing. "
                    "Fix the file and check it again, or import the valid rows only."
                )
            )
        with transaction.atomic():
            _queue(request, job, "commit_valid" if valid_only else "commit")
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, _error_text(error))
    return redirect("imports:detail", pk=job.pk)


# --- Downloads --------------------------------------------------------------------------


def _xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def template(request, kind):
    kinds = dict(importable_kinds(request.user))
    require_page(kind in kinds)
    # Named in the language of the headers inside (the template is written in Chinese).
    names = {
        ImportKind.CUSTOMERS: "客户导入模板",
        ImportKind.CONTACTS: "联系人导入模板",
        ImportKind.BOOKINGS: "订单导入模板",
        ImportKind.RECORDS: "联系记录导入模板",
    }
    return _xlsx_response(import_template_xlsx(kind=kind), f"{names.get(kind, kind)}.xlsx")


@login_required
@require_GET
def refused_rows(request, pk):
    """The refused rows are personal data (names, ID numbers, mobiles of the file, and
    a manager may download someone else's): an export through the one guard, counted
    in customer rows like every other door, refused whole past the limit."""
    job = _job(request, pk)
    rows = len((job.report or {}).get("refused_rows") or [])
    if not rows or not job.file:  # nothing refused, or the file expired
        raise Http404
    try:
        personal_data_export_record(
            actor=request.user,
            customer_rows=rows,
            obj=job,
            object_type="import_refused_rows",
            detail={"rows": rows, "file": job.original_name, "kind": job.kind},
        )
    except MassActionRefused as refusal:
        messages.error(request, refusal.message)
        return redirect("imports:detail", pk=job.pk)
    stem = job.original_name.rsplit(".", 1)[0] or "import"
    return _xlsx_response(
        import_refused_rows_xlsx(job=job), f"{stem}-{gettext('refused rows')}.xlsx"
    )
