"""Celery beat's schedule kept in the database, declared in code.

The periodic jobs are declared once, in config/celery.py (`app.conf.beat_schedule`).
django-celery-beat's DatabaseScheduler copies them into its tables at every start
(`update_or_create` by name: a changed time or task is applied, and the row's
`last_run_at` is kept). What it does not do is forget an entry that was removed from the
code: the row would go on firing a task that no longer exists. This scheduler deletes
those rows too, so the database always holds exactly what the code declares, plus when
each entry last ran.

Why the database and not beat's shelve file on a volume: the schedule's memory
(`last_run_at`) then survives a redeploy, a new container, a move to another host and a
restore from backup together with the data the jobs produce; it needs no volume
writable by the container's user; it cannot be corrupted by a beat killed mid-write or
made unreadable by an image whose Python has another dbm module; and the admin shows
when each job last fired. A job missed while beat was down fires once when beat comes
back (its last run is older than its last due time); the jobs' own claim rows make that
run do only the periods still missing.
"""

import logging

from django_celery_beat.models import PeriodicTask
from django_celery_beat.schedulers import DatabaseScheduler

logger = logging.getLogger(__name__)

# Entries celery itself installs (install_default_entries): not ours to remove.
CELERY_DEFAULT_ENTRIES = {"celery.backend_cleanup"}


def beat_schedule_prune(*, declared: set[str]) -> list[str]:
    """Delete the stored periodic tasks the code no longer declares; their names."""
    stale = list(
        PeriodicTask.objects.exclude(name__in=declared | CELERY_DEFAULT_ENTRIES)
        .order_by("name")
        .values_list("name", flat=True)
    )
    if stale:
        # One by one, through the model, so PeriodicTasks.changed() tells a running beat.
        for task in PeriodicTask.objects.filter(name__in=stale):
            task.delete()
        logger.warning("Beat: removed periodic tasks no longer declared in code: %s", stale)
    return stale


class CodeDeclaredDatabaseScheduler(DatabaseScheduler):
    """DatabaseScheduler whose table mirrors config/celery.py at every beat start."""

    def setup_schedule(self):
        super().setup_schedule()  # update_or_create every declared entry
        beat_schedule_prune(declared=set(self.app.conf.beat_schedule))
