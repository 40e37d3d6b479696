"""PostgreSQL only: the indexes the customer search uses (customers/search.py), measured
in bench/search.py. pg_trgm GIN indexes answer `LIKE '%…%'` on the name (three
characters or more) and on its pinyin (one or two Han characters typed: 小雨 → xiaoyu);
pattern indexes answer the pinyin and initials from the start (faster than trigrams);
the e-mail is matched case-insensitively (`UPPER(email) = UPPER(…)`, Django's iexact).
SQLite keeps answering the same LIKE conditions without them. pg_trgm is a trusted
extension (PostgreSQL 13+): the database owner may create it."""

from django.db import migrations

TABLE = "customers_customer"
INDEXES = {
    "customer_name_trgm": f"{TABLE} USING gin (name gin_trgm_ops)",
    "customer_pinyin_trgm": f"{TABLE} USING gin (name_pinyin gin_trgm_ops)",
    "customer_pinyin_prefix": f"{TABLE} (name_pinyin varchar_pattern_ops)",
    "customer_initials_prefix": f"{TABLE} (name_initials varchar_pattern_ops)",
    "customer_email_upper": f"{TABLE} (UPPER(email::text))",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, definition in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {definition}")
    schema_editor.execute(f"ANALYZE {TABLE}")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("customers", "0017_fill_search_keys_dormancy_date")]

    operations = [migrations.RunPython(create, drop)]
