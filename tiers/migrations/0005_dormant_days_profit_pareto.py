"""Semi-dormancy counted in days on the policy (six months = 183 days), the snapshot's
last business day, and the Pareto of profit (summaries ordered by gross profit beside
those ordered by spend; the months already computed get theirs from their snapshots)."""

import django.core.validators
from django.db import connection as db_connection
from django.db import migrations, models


def months_to_days(apps, schema_editor):
    TierPolicy = apps.get_model("tiers", "TierPolicy")
    if not any(field.name == "dormant_months" for field in TierPolicy._meta.fields):
        return  # replayed on today's models (tests/conftest.py): nothing to convert
    for policy in TierPolicy.objects.all():
        policy.dormant_days = -(-policy.dormant_months * 365 // 12)  # rounded up: 6 → 183
        policy.save(update_fields=["dormant_days"])


def profit_pareto_for_computed_months(apps, schema_editor):
    """The same statement as tiers.statistics.insert_profit_pareto, per stored month."""
    ParetoSummary = apps.get_model("tiers", "ParetoSummary")
    CustomerSnapshot = apps.get_model("tiers", "CustomerSnapshot")
    connection = schema_editor.connection if schema_editor else db_connection
    quote = connection.ops.quote_name
    month_sql = "CAST(%s AS date)" if connection.vendor == "postgresql" else "%s"
    done = ParetoSummary.objects.filter(ordered_by="profit").values("month")
    months = ParetoSummary.objects.exclude(month__in=done).values_list("month", flat=True)
    for month in sorted(set(months)):
        connection.cursor().execute(
            f"""INSERT INTO {quote(ParetoSummary._meta.db_table)} (month, owner_id, team_id,
                customers, spend, gross_profit, ordered_by, percentile)
            SELECT {month_sql}, owner_id, team_id, COUNT(*), SUM(spend_12m),
                SUM(gross_profit_12m), 'profit', percentile
            FROM (
                SELECT owner_id, team_id, spend_12m, gross_profit_12m,
                    (COUNT(*) OVER (ORDER BY gross_profit_12m DESC) * 100
                        + COUNT(*) OVER () - 1) / COUNT(*) OVER () AS percentile
                FROM {quote(CustomerSnapshot._meta.db_table)}
                WHERE month = {month_sql} AND spend_12m > 0
            ) ranked
            GROUP BY owner_id, team_id, percentile""",  # noqa: S608
            [month.isoformat(), month.isoformat()],
        )


class Migration(migrations.Migration):
    dependencies = [
        ("tiers", "0004_value_view_and_spend_review"),
    ]

    operations = [
        migrations.AddField(
            model_name="tierpolicy",
            name="dormant_days",
            field=models.PositiveSmallIntegerField(
                default=183,
                help_text=(
                    "Six months is 183 days. A refunded trip is no business; a trip still to "
                    "come that is paid for is. A customer who never bought counts from the "
                    "day they were added."
                ),
                validators=[
                    django.core.validators.MinValueValidator(1),
                    django.core.validators.MaxValueValidator(1830),
                ],
                verbose_name="semi-dormant after days without business",
            ),
        ),
        migrations.RunPython(months_to_days, migrations.RunPython.noop, elidable=True),
        migrations.RemoveField(model_name="tierpolicy", name="dormant_months"),
        migrations.AddField(
            model_name="customersnapshot",
            name="last_business_on",
            field=models.DateField(null=True, verbose_name="last business"),
        ),
        migrations.RenameField(
            model_name="paretosummary", old_name="spend_percentile", new_name="percentile"
        ),
        migrations.AlterField(
            model_name="paretosummary",
            name="percentile",
            field=models.PositiveSmallIntegerField(verbose_name="percentile"),
        ),
        migrations.AddField(
            model_name="paretosummary",
            name="ordered_by",
            field=models.CharField(
                choices=[("spend", "12-month spend"), ("profit", "12-month gross profit")],
                default="spend",
                max_length=6,
                verbose_name="customers ordered by",
            ),
            preserve_default=False,
        ),
        migrations.RunPython(
            profit_pareto_for_computed_months, migrations.RunPython.noop, elidable=True
        ),
    ]
