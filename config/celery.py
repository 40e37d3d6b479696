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
    # Daily at 03:30 Asia/Shanghai: proposes for anonymisation every person with no
    # business and no contact for the privacy policy's years (privacy/dormant.py).
    "privacy-dormant-propose": {
        "task": "privacy.tasks.dormant_propose_task",
        "schedule": crontab(hour=3, minute=30),
    },
    # Daily at 03:45 Asia/Shanghai: deletes uploaded import files past their retention
    # (IMPORT_FILE_RETENTION_DAYS, 30): they hold many people and cannot be anonymised.
    "imports-files-expire": {
        "task": "imports.tasks.import_files_expire_task",
        "schedule": crontab(hour=3, minute=45),
    },
    # 1st of every month, 02:00: the monthly statistics 每月统计 (spend, RFM, quadrant and
    # the implied grade of every customer) for the month just ended.
    "tiers-monthly-statistics": {
        "task": "tiers.tasks.monthly_statistics_task",
        "schedule": crontab(day_of_month=1, hour=2, minute=0),
    },
    # 1 January and 1 July, 04:00 (after the monthly statistics): the half-yearly
    # re-evaluation 每半年重新评估 proposes grade changes for the committee to approve.
    "tiers-half-yearly-review": {
        "task": "tiers.tasks.half_yearly_review_task",
        "schedule": crontab(month_of_year="1,7", day_of_month=1, hour=4, minute=0),
    },
    # Daily at 00:30: every customer's stored semi-dormancy date (the customer list's
    # filter) as of the new day: trips that started and payments that fell due overnight.
    "customers-dormancy-refresh": {
        "task": "customers.tasks.dormancy_refresh_task",
        "schedule": crontab(hour=0, minute=30),
    },
    # Daily at 06:00: plans the day's follow-ups (post-trip visits, regular contact, key
    # accounts, greetings), before the reps start work.
    "followups-daily-planning": {
        "task": "followups.tasks.daily_planning_task",
        "schedule": crontab(hour=6, minute=0),
    },
    # 1st of every month, 01:00: expires points past their validity and warns customers
    # whose points expire within 30 days.
    "loyalty-points-expiry": {
        "task": "loyalty.tasks.points_expiry_task",
        "schedule": crontab(day_of_month=1, hour=1, minute=0),
    },
    # Every ten minutes: the home pages' figures per owner (the month's spend and gross
    # profit, customers added and lost, against the same days a year before; customers
    # by grade), summed again; the pages say "as of" the last run
    # (customers/services/figures.py).
    "customers-home-figures-refresh": {
        "task": "customers.tasks.home_figures_refresh_task",
        "schedule": crontab(minute="*/10"),
    },
    # Every ten minutes: the points liability (outstanding points by card level and by
    # expiry month), summed again; the page says "as of" the last run
    # (loyalty/services/liability.py). The monthly points job refreshes it too.
    "loyalty-liability-refresh": {
        "task": "loyalty.tasks.points_liability_refresh_task",
        "schedule": crontab(minute="*/10"),
    },
    # Every minute: send the webhook deliveries that are due (retries whose backoff has
    # passed, new ones whose task was lost, those of a worker that died mid-send).
    "webhooks-send-due": {
        "task": "webhooks.tasks.deliveries_sweep_task",
        "schedule": 60.0,
    },
    # Every minute: send the outgoing messages (e-mail) that are due: retries whose
    # backoff has passed, new ones whose task was lost, those of a worker that died.
    "outbox-send-due": {
        "task": "customers.tasks.messages_sweep_task",
        "schedule": 60.0,
    },
    # Hourly at :15: a job period not done by its deadline (e.g. the monthly statistics
    # by the 2nd, 06:00; planning by 07:00) alerts the managers once and is queued again
    # (customers/jobs.py).
    "jobs-deadlines": {
        "task": "customers.job_tasks.jobs_check_task",
        "schedule": crontab(minute=15),
    },
    # Sundays at 04:30: every stored archive document read and compared with the SHA-256
    # recorded at upload; custodians are e-mailed about missing or altered files
    # (archives/integrity.py; by hand: manage.py verify_documents).
    "archives-verify-documents": {
        "task": "archives.tasks.verify_documents_task",
        "schedule": crontab(day_of_week="sun", hour=4, minute=30),
    },
    # 1 January, 05:00: the annual spend rewards 年度消费奖励 for last year's purchases.
    "loyalty-annual-rewards": {
        "task": "loyalty.tasks.annual_rewards_task",
        "schedule": crontab(month_of_year=1, day_of_month=1, hour=5, minute=0),
    },
}
