"""The import runs in the background (a Celery worker; in-process when no broker is
configured). Thin: it loads the job and its actor and calls the service."""

import logging

from celery import shared_task
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from imports.models import ImportJob, ImportStatus
from imports.services import (
    import_job_check,
    import_job_commit,
    import_job_fail,
    import_job_progress,
)

log = logging.getLogger(__name__)
ACTIONS = ("check", "commit", "commit_valid")


# A soft limit marks the import failed (the except below) with nothing written.
@shared_task(soft_time_limit=25 * 60, time_limit=30 * 60)
def import_job_run(job_id: int, action: str) -> str:
    """`action`: check, commit (all or nothing) or commit_valid (the valid rows). The
    job's status says how it ended; an unexpected error marks it failed, never leaves it
    checking for ever."""
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    try:
        progress = import_job_progress(job)
        if action == "check":
            import_job_check(actor=job.created_by, job=job, progress=progress)
        elif action in ("commit", "commit_valid"):
            import_job_commit(
                actor=job.created_by,
                job=job,
                valid_only=action == "commit_valid",
                progress=progress,
            )
        else:
            raise ValueError(action)
    except (ValidationError, PermissionDenied) as error:
        messages = getattr(error, "messages", None) or [str(error)]
        import_job_fail(job=job, message=" ".join(str(m) for m in messages))
        return ImportStatus.FAILED
    except Exception:
        log.exception("Import %s (%s) failed", job_id, action)
        import_job_fail(
            job=job,
            message=_(
                "The import stopped on an unexpected error; nothing was written. "
                "Please tell the administrator."
            ),
        )
        return ImportStatus.FAILED
    return ImportJob.objects.values_list("status", flat=True).get(pk=job_id)


@shared_task(soft_time_limit=10 * 60, time_limit=12 * 60)
def import_files_expire_task() -> int:
    """Daily (see config/celery.py): deletes uploaded files past their retention."""
    from imports.services import import_files_expire

    return import_files_expire()
