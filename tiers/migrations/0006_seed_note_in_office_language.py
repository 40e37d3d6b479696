"""The seeded policy's note was stored in English ("Handbook defaults") and so showed in
English in the Chinese UI. A note is shown as written; the seed now writes it in the
office language, and databases seeded before read the same."""

from django.db import migrations

OLD, NEW = "Handbook defaults", "客户分级手册默认值"


def forwards(apps, schema_editor):
    apps.get_model("tiers", "TierPolicy").objects.filter(note=OLD).update(note=NEW)


def backwards(apps, schema_editor):
    apps.get_model("tiers", "TierPolicy").objects.filter(note=NEW).update(note=OLD)


class Migration(migrations.Migration):
    dependencies = [("tiers", "0005_dormant_days_profit_pareto")]

    operations = [migrations.RunPython(forwards, backwards)]
