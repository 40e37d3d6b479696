from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0026_list_filter_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="customer",
            name="last_contacted_at",
            field=models.DateTimeField(
                blank=True, editable=False, null=True, verbose_name="last contacted"
            ),
        ),
        # Everyone's latest contact, set-based (one UPDATE … FROM a GROUP BY, the same
        # on PostgreSQL and SQLite): customers with no record stay empty.
        migrations.RunSQL(
            """
            UPDATE customers_customer SET last_contacted_at = latest.at
            FROM (
                SELECT customer_id, MAX(contacted_at) AS at
                FROM customers_contactrecord GROUP BY customer_id
            ) AS latest
            WHERE customers_customer.id = latest.customer_id
            """,
            migrations.RunSQL.noop,
        ),
        migrations.AddIndex(
            model_name="customer",
            index=models.Index(
                condition=models.Q(
                    ("deleted_at__isnull", True), ("last_contacted_at__isnull", True)
                ),
                fields=["name", "id"],
                name="customer_never_contacted",
            ),
        ),
    ]
