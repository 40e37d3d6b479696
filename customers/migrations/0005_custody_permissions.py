"""Managers run the custody regime (policy, alerts, special access, handovers and
confidentiality agreements); custodians may read its records."""

from django.db import migrations

from accounts.permissions import grant_role_permissions, revoke_role_permissions

CUSTODY_PERMISSIONS = {
    "manager": [
        "customers.view_custodypolicy", "customers.change_custodypolicy",
        "customers.view_securityalert", "customers.view_accessrequest",
        "customers.view_staffdeparture", "customers.view_handoveritem",
        "accounts.view_confidentialityagreement", "accounts.add_confidentialityagreement",
        "accounts.change_confidentialityagreement",
    ],
    "custodian": [
        "customers.view_custodypolicy", "customers.view_securityalert",
        "customers.view_accessrequest", "customers.view_staffdeparture",
        "customers.view_handoveritem", "accounts.view_confidentialityagreement",
        "accounts.add_confidentialityagreement", "accounts.change_confidentialityagreement",
    ],
}  # fmt: skip


def grant(apps, schema_editor):
    grant_role_permissions(apps, CUSTODY_PERMISSIONS)


def revoke(apps, schema_editor):
    revoke_role_permissions(apps, CUSTODY_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0004_custody"),
        ("accounts", "0003_confidentiality_agreement"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
