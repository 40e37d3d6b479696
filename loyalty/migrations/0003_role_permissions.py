"""Managers run the points programme: they publish rules, keep the reward catalogue and
adjust points; custodians and finance read. Ledger entries, runs and notices are read
only for everyone (append-only history)."""

from django.db import migrations

from accounts.permissions import grant_role_permissions, revoke_role_permissions

READ = [
    "loyalty.view_rulebook",
    "loyalty.view_cardlevel",
    "loyalty.view_annualrewardpolicy",
    "loyalty.view_annualrewardtier",
    "loyalty.view_card",
    "loyalty.view_ledgerentry",
    "loyalty.view_reward",
    "loyalty.view_redemption",
    "loyalty.view_expiryrun",
    "loyalty.view_expirynotice",
    "loyalty.view_annualreward",
    "loyalty.view_annualrewardrun",
]

LOYALTY_PERMISSIONS = {
    "manager": [
        *READ,
        "loyalty.add_rulebook",
        "loyalty.add_cardlevel",
        "loyalty.add_annualrewardpolicy",
        "loyalty.add_annualrewardtier",
        "loyalty.add_reward",
        "loyalty.change_reward",
        "loyalty.change_card",
        "loyalty.adjust_points",
    ],
    "custodian": READ,
    "finance": READ,
}


def grant(apps, schema_editor):
    grant_role_permissions(apps, LOYALTY_PERMISSIONS)


def revoke(apps, schema_editor):
    revoke_role_permissions(apps, LOYALTY_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("loyalty", "0002_default_rules"),
        ("accounts", "0002_roles"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
