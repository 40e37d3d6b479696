"""The default return-visit policy (DOMAIN.md §4) and who may edit what in the admin:
managers keep the policy, standing visits, events and mailings; custodians read them.
Planning runs and overdue alerts are records nobody changes."""

import datetime

from django.db import migrations

from accounts.permissions import grant_role_permissions, revoke_role_permissions

MANAGED = ["followuppolicy", "standingvisit", "customerevent", "cataloguemailing"]
READ_ONLY = [
    "followup",
    "planningrun",
    "feedbackalert",
    "keyaccountrecord",
    "eventinvitation",
    "mailingrecipient",
]

FOLLOWUP_PERMISSIONS = {
    "manager": [
        *(f"followups.{verb}_{model}" for model in MANAGED for verb in ("view", "add", "change")),
        *(f"followups.view_{model}" for model in READ_ONLY),
    ],
    "custodian": [f"followups.view_{model}" for model in (*MANAGED, *READ_ONLY)],
}


def default_policy(apps, schema_editor):
    FollowupPolicy = apps.get_model("followups", "FollowupPolicy")
    if not FollowupPolicy.objects.exists():
        FollowupPolicy.objects.create(
            effective_from=datetime.date(2000, 1, 1), notes="回访制度默认值（DOMAIN.md §4）"
        )


def grant(apps, schema_editor):
    grant_role_permissions(apps, FOLLOWUP_PERMISSIONS)


def revoke(apps, schema_editor):
    revoke_role_permissions(apps, FOLLOWUP_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("followups", "0001_initial"),
        ("accounts", "0002_roles"),
    ]

    operations = [
        migrations.RunPython(default_policy, migrations.RunPython.noop),
        migrations.RunPython(grant, revoke),
    ]
