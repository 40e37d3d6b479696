"""Custodians and managers handle a person's requests: they read the requests and the
copies in the administration (both are registered, closed and downloaded on the pages,
with audit) and change the personal-information policy (its history is kept)."""

from django.db import migrations

from accounts.permissions import grant_role_permissions, revoke_role_permissions

SHARED = [
    "privacy.view_rightsrequest",
    "privacy.view_rightscopy",
    "privacy.view_privacypolicy",
    "privacy.change_privacypolicy",
]
RIGHTS_PERMISSIONS = {"custodian": SHARED, "manager": SHARED}


def grant(apps, schema_editor):
    grant_role_permissions(apps, RIGHTS_PERMISSIONS)


def revoke(apps, schema_editor):
    revoke_role_permissions(apps, RIGHTS_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("privacy", "0004_rights_request_copies"),
        ("accounts", "0002_roles"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
