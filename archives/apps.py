from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArchivesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "archives"
    verbose_name = _("Business archives")

    def ready(self):
        # Catch-up, deadlines and the job-runs page (customers/jobs.py).
        from archives.jobs import JOBS
        from customers.jobs import register_periodic_job

        for job in JOBS:
            register_periodic_job(job)
