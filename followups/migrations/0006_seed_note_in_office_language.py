"""The seeded return-visit policy's note was stored in English and so showed in English
in the Chinese UI. A note is shown as written; the seed now writes it in the office
language, and databases seeded before read the same."""

from django.db import migrations

OLD, NEW = "DOMAIN.md §4 defaults", "回访制度默认值（DOMAIN.md §4）"


def forwards(apps, schema_editor):
    apps.get_model("followups", "FollowupPolicy").objects.filter(notes=OLD).update(notes=NEW)


def backwards(apps, schema_editor):
    apps.get_model("followups", "FollowupPolicy").objects.filter(notes=NEW).update(notes=OLD)


class Migration(migrations.Migration):
    dependencies = [("followups", "0005_early_warnings")]

    operations = [migrations.RunPython(forwards, backwards)]
