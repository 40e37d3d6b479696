"""Granting model permissions to role groups from data migrations.

Permissions are normally created after all migrations run (post_migrate); a migration
that hands them to groups creates them first. Used by the data migrations of each app.
"""

from django.contrib.auth.management import create_permissions


def grant_role_permissions(apps, role_permissions: dict[str, list[str]]) -> None:
    app_labels = {dotted.split(".")[0] for names in role_permissions.values() for dotted in names}
    for app_label in app_labels:
        app_config = apps.get_app_config(app_label)
        stub = not getattr(app_config, "models_module", None)  # a migration state's stub
        if stub:
            app_config.models_module = True  # create_permissions skips apps without models
        create_permissions(app_config, apps=apps, verbosity=0)
        if stub:
            app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, permission_names in role_permissions.items():
        group, _created = Group.objects.get_or_create(name=role)
        for dotted in permission_names:
            app_label, codename = dotted.split(".")
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )


def revoke_role_permissions(apps, role_permissions: dict[str, list[str]]) -> None:
    Group = apps.get_model("auth", "Group")
    for role, permission_names in role_permissions.items():
        group = Group.objects.filter(name=role).first()
        if group is None:
            continue
        for dotted in permission_names:
            app_label, codename = dotted.split(".")
            group.permissions.remove(
                *group.permissions.filter(content_type__app_label=app_label, codename=codename)
            )
