"""The project's admin site: every ModelAdmin registered on it filters only by what it
declares.

Django's admin accepts a filter on any field of the model in the changelist's query
string (`?id_number__startswith=110105199106`, `?birthday__year=1991`), whether or not
the page offers that filter. Each answer is a yes/no about a value the reader may not see
(a custodian rebuilt full ID numbers digit by digit that way). Here a changelist accepts
only the parameters of its own `list_filter` and `date_hierarchy`; anything else is a
400. It is applied in `register`, so no admin of any app, ours or a library's, can
forget it."""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.db.models.constants import LOOKUP_SEP


def _declared_roots(model_admin, request) -> set[str]:
    roots = set()
    for entry in model_admin.get_list_filter(request):
        if isinstance(entry, str):
            roots.add(entry.split(LOOKUP_SEP)[0])
        elif isinstance(entry, (tuple, list)):
            roots.add(str(entry[0]).split(LOOKUP_SEP)[0])
        elif isinstance(entry, type) and issubclass(entry, admin.SimpleListFilter):
            roots.add(entry.parameter_name)
    if model_admin.date_hierarchy:
        roots.add(model_admin.date_hierarchy.split(LOOKUP_SEP)[0])
    return roots


class DeclaredLookupsOnly:
    """Changelist filters limited to the declared ones (see the module's doc)."""

    def lookup_allowed(self, lookup, value, request=None):
        if lookup.split(LOOKUP_SEP)[0] not in _declared_roots(self, request):
            return False
        return super().lookup_allowed(lookup, value, request)


class CRMAdminSite(admin.AdminSite):
    def register(self, model_or_iterable, admin_class=None, **options):
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, DeclaredLookupsOnly):
            admin_class = type(
                admin_class.__name__,
                (DeclaredLookupsOnly, admin_class),
                {"__module__": admin_class.__module__, "__doc__": admin_class.__doc__},
            )
        return super().register(model_or_iterable, admin_class, **options)


class CRMAdminConfig(AdminConfig):
    default_site = "config.admin.CRMAdminSite"
