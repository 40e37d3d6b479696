"""Create the staff roles as groups, with the model permissions each role needs.

Object-level rules (a rep sees only own customers) live in customers.selectors; these
permissions govern the admin and role-wide actions such as exporting.
"""

from django.db import migrations

from accounts.permissions import grant_role_permissions

ROLE_PERMISSIONS = {
    "sales": [
        "customers.view_customer", "customers.add_customer", "customers.change_customer",
        "customers.delete_customer",
        "customers.view_booking", "customers.add_booking", "customers.change_booking",
        "customers.view_contactperson", "customers.add_contactperson",
        "customers.change_contactperson",
        "customers.view_contactrecord", "customers.add_contactrecord",
        "customers.view_servicerecord", "customers.add_servicerecord",
        "customers.change_servicerecord",
    ],
    "team_lead": ["customers.export_customers"],
    "manager": [
        "customers.view_customer", "customers.add_customer", "customers.change_customer",
        "customers.delete_customer", "customers.export_customers",
        "customers.view_booking", "customers.add_booking", "customers.change_booking",
        "customers.view_contactperson", "customers.add_contactperson",
        "customers.change_contactperson",
        "customers.view_contactrecord", "customers.add_contactrecord",
        "customers.view_servicerecord", "customers.add_servicerecord",
        "customers.change_servicerecord",
        "customers.view_destination", "customers.add_destination",
        "customers.change_destination",
        "customers.view_tag", "customers.add_tag", "customers.change_tag",
        "customers.view_channelpartner", "customers.add_channelpartner",
        "customers.change_channelpartner",
        "accounts.view_user", "accounts.view_team",
    ],
    "custodian": [
        "customers.view_customer", "customers.change_customer", "customers.delete_customer",
        "customers.restore_customer", "customers.export_customers",
        "customers.view_booking", "customers.view_contactperson",
        "customers.view_contactrecord", "customers.view_servicerecord",
        "customers.view_destination", "customers.view_tag", "customers.view_channelpartner",
    ],
    "finance": [
        "customers.view_customer", "customers.view_booking", "customers.change_booking",
        "customers.view_contactperson", "customers.view_contactrecord",
        "customers.view_servicerecord",
    ],
}


def create_roles(apps, schema_editor):
    grant_role_permissions(apps, ROLE_PERMISSIONS)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLE_PERMISSIONS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("customers", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
