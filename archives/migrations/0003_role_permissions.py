"""Custodians keep the business archives (policy, legal holds, destruction); managers
run them with them, except for holds and destruction. Both only read the destruction
records and the retention runs, which nobody changes."""

from django.db import migrations

from accounts.permissions import grant_role_permissions, revoke_role_permissions


def _write(model: str) -> list[str]:
    # No delete: documents go only with their archive's destruction, tours never.
    return [f"archives.{verb}_{model}" for verb in ("view", "add", "change")]


SHARED = [
    *_write("tourgroup"),
    *_write("tourgroupbooking"), "archives.delete_tourgroupbooking",
    "archives.view_businessarchive", "archives.add_businessarchive",
    "archives.change_businessarchive", "archives.close_businessarchive",
    *_write("archivedocument"),
    "archives.view_documentrequirement", "archives.change_documentrequirement",
    "archives.view_retentionpolicy", "archives.add_retentionpolicy",
    "archives.change_retentionpolicy",
    "archives.view_destructionrecord",
    "archives.view_retentionrun",
]  # fmt: skip

ARCHIVE_PERMISSIONS = {
    "custodian": [
        *SHARED,
        "archives.hold_businessarchive",
        "archives.destroy_businessarchive",
    ],
    "manager": SHARED,
}


def grant(apps, schema_editor):
    grant_role_permissions(apps, ARCHIVE_PERMISSIONS)


def revoke(apps, schema_editor):
    revoke_role_permissions(apps, ARCHIVE_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("archives", "0002_policy_defaults"),
        ("accounts", "0002_roles"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
