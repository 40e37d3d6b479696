"""Fresh planner statistics after a bulk job, for every app's jobs (one mechanism).

PostgreSQL plans each statement on the statistics of its last ANALYZE. Autovacuum runs
one only after a while, so a job that has just written a large share of a table leaves
the statements after it in the same job, and the first pages after it, planned on a
table that looks empty or much smaller: measured at a million customers, approving 2,000
review proposals took 43 s (the planner expected 1 row in `tiers_proposal`) instead of
0.31 s after `ANALYZE tiers_proposal`, and the review page 1.7 s instead of 0.17 s.

ANALYZE samples at most 30,000 rows (300 × the statistics target), so it costs a few
hundred milliseconds at any size. Run inside a transaction it counts and samples the
rows that transaction wrote, so later statements of the same job see them; the
statistics are committed with the job's rows. SQLite keeps no such statistics for
these plans (its planner reads the indexes): nothing is done there.
"""

from django.db import connection
from django.db.models import Model

# Fewer rows than this changed: the statistics cannot be far off (the same threshold
# autovacuum would use at a few thousand rows); skip the sample.
ANALYZE_AFTER_ROWS = 5_000


def tables_analyze(*models: type[Model], changed_rows: int | None = None) -> bool:
    """ANALYZE the tables of `models` on PostgreSQL when `changed_rows` (None: unknown,
    assume many) reaches ANALYZE_AFTER_ROWS. Returns whether it ran."""
    if connection.vendor != "postgresql" or not models:
        return False
    if changed_rows is not None and changed_rows < ANALYZE_AFTER_ROWS:
        return False
    tables = ", ".join(connection.ops.quote_name(model._meta.db_table) for model in models)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {tables}")
    return True
