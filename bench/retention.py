"""Benchmark the daily retention job against the bare UPDATE it is built on.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/scratch \
        .venv/bin/python bench/retention.py [--archives 1000000]

Needs a migrated PostgreSQL database with no business archives in it (a scratch copy):
it creates its own tour groups and archives (about 1% past their retention end, a few of
those under legal hold) with INSERT … SELECT generate_series, times
`archives.services.retention_expire(today=…)` and the bare
`UPDATE … SET expired_on = … WHERE retention_end < … AND NOT legal_hold AND expired_on IS NULL`
on the same state (expired_on reset between runs), prints the median of each and the
ratio job/bare, and deletes everything it created.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# The job e-mails custodians; a benchmark must not.
os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"

PREFIX = "BENCH-"
BENCH_USER = "bench-retention"

LOAD_SQL = """
WITH numbers AS (
    SELECT g AS n,
           CASE WHEN g %% 100 = 0 THEN %(today)s::date - (1 + g %% 30)
                ELSE %(today)s::date + (1 + g %% 700) END AS retention_end
    FROM generate_series(1, %(count)s) AS g
), tours AS (
    INSERT INTO archives_tourgroup (group_number, product, trip_type, start_date, end_date,
                                    head_count, ground_agency, guide, created_by_id, created_at)
    SELECT %(prefix)s || n, 'bench tour', 'domestic',
           (retention_end - interval '2 years')::date - 4,
           (retention_end - interval '2 years')::date,
           20, 'bench ground agency', 'bench guide', %(user)s, now()
    FROM numbers
    RETURNING id, group_number, end_date
)
INSERT INTO archives_businessarchive (tour_id, status, retention_years, retention_end, legal_hold,
                                      legal_hold_reason, created_at)
SELECT tours.id, 'open', 2, (tours.end_date + interval '2 years')::date,
       substring(tours.group_number FROM %(prefix_len)s)::int %% 1000 = 0,
       CASE WHEN substring(tours.group_number FROM %(prefix_len)s)::int %% 1000 = 0
            THEN 'bench hold' ELSE '' END,
       now()
FROM tours
"""

BARE_SQL = (
    "UPDATE archives_businessarchive SET expired_on = %s "
    "WHERE retention_end < %s AND NOT legal_hold AND expired_on IS NULL"
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--archives", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.utils import timezone

    from archives.models import BusinessArchive, RetentionRun
    from archives.services import retention_expire

    if connection.vendor != "postgresql":
        print(
            "bench/retention.py measures PostgreSQL: set DATABASE_URL to a migrated scratch "
            "PostgreSQL database (it refuses to run on SQLite).",
            file=sys.stderr,
        )
        return 2
    today = timezone.localdate()
    if BusinessArchive.objects.exists() or RetentionRun.objects.filter(run_date=today).exists():
        print(
            "The database already holds business archives or a retention run for today; "
            "point DATABASE_URL at a scratch database.",
            file=sys.stderr,
        )
        return 2

    user = get_user_model().objects.create(username=BENCH_USER, is_active=False)
    try:
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(
                LOAD_SQL,
                {"today": today, "count": args.archives, "prefix": PREFIX,
                 "prefix_len": len(PREFIX) + 1, "user": user.pk},
            )  # fmt: skip
            cursor.execute("ANALYZE archives_tourgroup")
            cursor.execute("ANALYZE archives_businessarchive")
        due = BusinessArchive.objects.filter(
            retention_end__lt=today, legal_hold=False, expired_on__isnull=True
        ).count()
        print(
            f"loaded {args.archives:,} archives in {time.perf_counter() - started:.1f} s; "
            f"{due:,} past retention and not held"
        )

        def reset():
            RetentionRun.objects.filter(run_date=today).delete()
            with connection.cursor() as cursor:
                cursor.execute(
                    "UPDATE archives_businessarchive SET expired_on = NULL "
                    "WHERE expired_on IS NOT NULL"
                )
                cursor.execute("VACUUM ANALYZE archives_businessarchive")

        def time_job() -> float:
            reset()
            started = time.perf_counter()
            run = retention_expire(today=today)
            elapsed = time.perf_counter() - started
            if run is None or run.expired_count != due:
                raise RuntimeError(f"the job marked {run and run.expired_count}, expected {due}")
            return elapsed

        def time_bare() -> float:
            reset()
            with connection.cursor() as cursor:
                started = time.perf_counter()
                cursor.execute(BARE_SQL, [today, today])
                elapsed = time.perf_counter() - started
                if cursor.rowcount != due:
                    raise RuntimeError(f"the UPDATE marked {cursor.rowcount}, expected {due}")
            return elapsed

        job_times, bare_times = [], []
        for _ in range(args.runs):
            job_times.append(time_job())
            bare_times.append(time_bare())
        job, bare = statistics.median(job_times), statistics.median(bare_times)
        print(f"job  retention_expire(today=…): median {job * 1000:8.1f} ms  {job_times}")
        print(f"bare UPDATE                   : median {bare * 1000:8.1f} ms  {bare_times}")
        print(f"ratio job/bare: {job / bare:.2f}")
    finally:
        RetentionRun.objects.filter(run_date=today).delete()
        with connection.cursor() as cursor:
            cursor.execute(
                "DELETE FROM archives_businessarchive WHERE tour_id IN "
                "(SELECT id FROM archives_tourgroup WHERE group_number LIKE %s)",
                [PREFIX + "%"],
            )
            cursor.execute(
                "DELETE FROM archives_tourgroup WHERE group_number LIKE %s", [PREFIX + "%"]
            )
        user.delete()
        print("bench data removed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
