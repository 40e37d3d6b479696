"""Fill the new columns of the customers on file: the name's pinyin in batches of 2,000
(pypinyin is Python; keyset over the primary key, one bulk UPDATE a batch) and the
stored dormancy date in one set-based UPDATE, by the definitions the app uses."""

from django.db import migrations
from django.db.models import Max, OuterRef, Subquery
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from customers.dormancy import business_booking_q
from customers.pinyin import name_search_keys

BATCH = 2000


def fill_search_keys(apps, schema_editor):
    Customer = apps.get_model("customers", "Customer")
    last = 0
    while True:
        batch = list(
            Customer._base_manager.filter(pk__gt=last)
            .order_by("pk")
            .only("pk", "name", "kind")[:BATCH]
        )
        if not batch:
            return
        for customer in batch:
            customer.name_pinyin, customer.name_initials = name_search_keys(
                customer.name, kind=customer.kind
            )
        Customer._base_manager.bulk_update(batch, ["name_pinyin", "name_initials"])
        last = batch[-1].pk


def fill_dormancy(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        # One set-based statement over the tables (no model state involved).
        from customers.services.dormancy import customers_dormancy_refresh

        customers_dormancy_refresh()
        return
    Customer = apps.get_model("customers", "Customer")
    Booking = apps.get_model("customers", "Booking")
    today = timezone.localdate()
    latest = (
        Booking.objects.filter(business_booking_q(as_of=today), customer=OuterRef("pk"))
        .order_by()
        .values("customer")
        .annotate(latest=Max("start_date"))
        .values("latest")
    )
    Customer._base_manager.update(
        dormancy_counts_from=Coalesce(Subquery(latest), TruncDate("created_at"))
    )


class Migration(migrations.Migration):
    dependencies = [("customers", "0016_customer_search_keys_dormancy_date")]

    operations = [
        migrations.RunPython(fill_search_keys, migrations.RunPython.noop, elidable=True),
        migrations.RunPython(fill_dormancy, migrations.RunPython.noop, elidable=True),
    ]
