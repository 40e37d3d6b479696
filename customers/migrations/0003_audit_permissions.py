"""Managers and custodians search the audit log; nobody may change it."""

from django.db import migrations

from accounts.permissions import grant_role_permissions, revoke_role_permissions

AUDIT_READERS = {
    "manager": ["customers.view_auditentry", "customers.view_audit_log"],
    "custodian": ["customers.view_auditentry", "customers.view_audit_log"],
}


def grant(apps, schema_editor):
    grant_role_permissions(apps, AUDIT_READERS)


def revoke(apps, schema_editor):
    revoke_role_permissions(apps, AUDIT_READERS)


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0002_audit_entry"),
        ("accounts", "0002_roles"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
