"""Seed tier policy version 1 with the handbook's defaults, and let managers run
tiering: they add policy versions (versions are never changed) and read the history.
Custodians read it. Approving proposals and overriding grades is checked by role."""

from django.db import migrations

from accounts.permissions import grant_role_permissions, revoke_role_permissions

READ = [
    "tiers.view_tierpolicy",
    "tiers.view_statisticsrun",
    "tiers.view_evaluation",
    "tiers.view_proposal",
    "tiers.view_gradechange",
    "tiers.view_gradenotification",
]
# The note is written on the agency's behalf, in its office language (as a manager would
# write it); a note is shown as written, never translated.
SEED_NOTE = "客户分级手册默认值"
TIER_PERMISSIONS = {"manager": [*READ, "tiers.add_tierpolicy"], "custodian": READ}


def seed(apps, schema_editor):
    TierPolicy = apps.get_model("tiers", "TierPolicy")
    if not TierPolicy.objects.exists():
        TierPolicy.objects.create(version=1, note=SEED_NOTE)
    grant_role_permissions(apps, TIER_PERMISSIONS)


def unseed(apps, schema_editor):
    revoke_role_permissions(apps, TIER_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("tiers", "0001_initial"),
        ("accounts", "0002_roles"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
