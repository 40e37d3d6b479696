"""When a customer was marked lost (the churn report by period).

Backfill: for a customer lost now, the first change-history row of their current lost
spell (the earliest row with status Lost after the last row with another status). A
lost customer with no such row (loaded without history, e.g. by bulk import) keeps an
empty date: the churn report counts them under "all time" only, as of unknown date."""

import datetime

from django.db import migrations, models
from django.db.models import DateTimeField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

EPOCH = Value(datetime.datetime(1900, 1, 1, tzinfo=datetime.UTC), output_field=DateTimeField())


def lost_at_from_history(apps, schema_editor):
    Customer = apps.get_model("customers", "Customer")
    Historical = apps.get_model("customers", "HistoricalCustomer")
    last_other = (
        Historical.objects.filter(id=OuterRef(OuterRef("pk")))
        .exclude(status="lost")
        .order_by("-history_date")
        .values("history_date")[:1]
    )
    spell_start = (
        Historical.objects.filter(id=OuterRef("pk"), status="lost")
        .filter(history_date__gt=Coalesce(Subquery(last_other), EPOCH))
        .order_by("history_date")
        .values("history_date")[:1]
    )
    Customer.objects.filter(status="lost", lost_at__isnull=True).update(
        lost_at=Subquery(spell_start)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0010_two_factor_policy"),  # linear after two-factor (committed first)
    ]

    operations = [
        migrations.AddField(
            model_name="customer",
            name="lost_at",
            field=models.DateTimeField(
                blank=True, editable=False, null=True, verbose_name="marked lost"
            ),
        ),
        migrations.AddField(
            model_name="historicalcustomer",
            name="lost_at",
            field=models.DateTimeField(
                blank=True, editable=False, null=True, verbose_name="marked lost"
            ),
        ),
        migrations.RunPython(lost_at_from_history, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="customer",
            index=models.Index(
                condition=models.Q(("deleted_at__isnull", True), ("status", "lost")),
                fields=["churn_reason", "lost_at"],
                name="customer_lost",
            ),
        ),
        migrations.AddConstraint(
            model_name="customer",
            constraint=models.CheckConstraint(
                condition=models.Q(("status", "lost"), ("lost_at__isnull", True), _connector="OR"),
                name="customer_lost_at_only_when_lost",
                violation_error_message="Only a lost customer has a date marked lost.",
            ),
        ),
    ]
