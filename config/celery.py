"""The Celery app. Tasks are discovered in each app's tasks.py.

Without CELERY_BROKER_URL, settings make every task run in-process (eager), so the
project works with nothing but Python. Periodic schedules are declared here, once.
"""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("travel_crm")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Periodic jobs, in Asia/Shanghai time (CELERY_TIMEZONE). Each job is also a management
# command, so it can be run by hand without a broker. Apps add entries as they gain jobs.
app.conf.beat_schedule = {
    # Daily at 03:00 Asia/Shanghai: marks business archives whose retention has ended and
    # e-mails the custodians how many are newly proposed for destruction.
    "archives-retention-expire": {
        "task": "archives.tasks.retention_expire_task",
        "schedule": crontab(hour=3, minute=0),
    },
}
