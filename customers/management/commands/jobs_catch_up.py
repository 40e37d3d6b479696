from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from customers.jobs import job_catch_up, periodic_jobs, periods_missing
from customers.management.dates import TODAY_HELP, parse_today


class Command(BaseCommand):
    help = gettext_lazy(
        "Run the periodic jobs' missing periods, oldest first (what each job's scheduled "
        "run does, without a broker)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--job", help=gettext_lazy("Only this job (its key)."))
        parser.add_argument("--today", help=TODAY_HELP)

    def handle(self, *args, job=None, today=None, **options):
        day = parse_today(today)
        jobs = [j for j in periodic_jobs() if job in (None, j.key)]
        if not jobs:
            keys = ", ".join(j.key for j in periodic_jobs())
            raise CommandError(
                _("No job %(job)s; the jobs are: %(keys)s") % {"job": job, "keys": keys}
            )
        for periodic in jobs:
            missing = periods_missing(periodic, today=day)
            job_catch_up(periodic.key, today=day)
            self.stdout.write(
                _("%(job)s, periods run: %(periods)s")
                % {
                    "job": periodic.key,
                    "periods": ", ".join(p.isoformat() for p in missing) or "-",
                }
            )
