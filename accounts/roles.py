"""Staff roles. Each role is a Django group created by a data migration.

The group name is the stable key; what a person reads is the translated label.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext_lazy as _

SALES = "sales"
TEAM_LEAD = "team_lead"
MANAGER = "manager"
CUSTODIAN = "custodian"
FINANCE = "finance"

ROLE_LABELS = {
    SALES: _("Sales rep"),
    TEAM_LEAD: _("Team lead"),
    MANAGER: _("Manager"),
    CUSTODIAN: _("Archive custodian"),
    FINANCE: _("Finance"),
}

# Roles that see every customer (DOMAIN.md: managers, custodians and finance see all).
SEE_ALL_ROLES = frozenset({MANAGER, CUSTODIAN, FINANCE})


def role_names(user) -> frozenset[str]:
    """The user's role keys, read once per request and cached on the user object."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    if getattr(user, "is_service_account", False):
        return frozenset()  # an integration holds no role, whatever groups it was given
    cached = getattr(user, "_role_names_cache", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        user._role_names_cache = cached
    return cached


def has_role(user, *roles: str) -> bool:
    return bool(role_names(user) & set(roles))


def is_manager(user) -> bool:
    """Managers 经理 (and superusers): the committee, approvals, adjustments, policies."""
    if getattr(user, "is_service_account", False):
        return False
    return bool(getattr(user, "is_superuser", False)) or has_role(user, MANAGER)


def require_manager(user) -> None:
    """For services: the action is refused (403) when called by someone else."""
    if not is_manager(user):
        raise PermissionDenied


def require_page(allowed: bool) -> None:
    """A page a person's role may never use does not exist for them: 404, like an object
    out of their scope (never 403), so it tells them nothing. (An action refused on an
    object they do see stays PermissionDenied, with its "not allowed" message.)"""
    if not allowed:
        raise Http404


def require_manager_page(user) -> None:
    require_page(is_manager(user))
