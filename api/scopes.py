"""What a token may do: scopes per resource, and which of them each role may give its own
personal tokens. A token's scopes only narrow what its user may do; the selectors and
services decide which objects (customers.selectors: the one scoping rule)."""

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from accounts.roles import CUSTODIAN, FINANCE, MANAGER, SALES, TEAM_LEAD, role_names

CUSTOMERS_READ = "customers:read"
CUSTOMERS_WRITE = "customers:write"
CONTACTS_READ = "contacts:read"
CONTACTS_WRITE = "contacts:write"
BOOKINGS_READ = "bookings:read"
BOOKINGS_WRITE = "bookings:write"
RECORDS_READ = "records:read"
RECORDS_WRITE = "records:write"
FOLLOWUPS_READ = "followups:read"
FOLLOWUPS_WRITE = "followups:write"
POINTS_READ = "points:read"
POINTS_WRITE = "points:write"
GRADES_READ = "grades:read"

SCOPE_LABELS = {
    CUSTOMERS_READ: _("Read customers"),
    CUSTOMERS_WRITE: _("Create and change customers"),
    CONTACTS_READ: _("Read contact people"),
    CONTACTS_WRITE: _("Add contact people"),
    BOOKINGS_READ: _("Read bookings"),
    BOOKINGS_WRITE: _("Create and change bookings"),
    RECORDS_READ: _("Read contact and service records"),
    RECORDS_WRITE: _("Log contact and service records"),
    FOLLOWUPS_READ: _("Read follow-ups"),
    FOLLOWUPS_WRITE: _("Complete follow-ups"),
    POINTS_READ: _("Read points cards"),
    POINTS_WRITE: _("Redeem points"),
    GRADES_READ: _("Read grades and monthly figures"),
}
ALL_SCOPES = tuple(SCOPE_LABELS)

_READ = {
    CUSTOMERS_READ,
    CONTACTS_READ,
    BOOKINGS_READ,
    RECORDS_READ,
    FOLLOWUPS_READ,
    POINTS_READ,
    GRADES_READ,
}
_WORK = _READ | {
    CUSTOMERS_WRITE,
    CONTACTS_WRITE,
    BOOKINGS_WRITE,
    RECORDS_WRITE,
    FOLLOWUPS_WRITE,
    POINTS_WRITE,
}
# What a person of each role may put on a personal token: the writes their role does on
# the pages (the services still check each object). Custodians keep and answer requests
# (read); finance confirms bookings.
ROLE_SCOPES = {
    SALES: _WORK,
    TEAM_LEAD: _WORK,
    MANAGER: _WORK,
    CUSTODIAN: _READ,
    FINANCE: _READ | {BOOKINGS_WRITE},
}


def scopes_allowed_for(user) -> frozenset[str]:
    """The scopes `user` may hold: a personal token's are cut to these on every request,
    so a role taken away takes the token's rights with it."""
    if getattr(user, "is_service_account", False):
        return frozenset(ALL_SCOPES)  # a manager chose them on the service account
    if not getattr(user, "is_active", False):
        return frozenset()
    if user.is_superuser:
        return frozenset(ALL_SCOPES)
    allowed: set[str] = set()
    for role in role_names(user):
        allowed |= ROLE_SCOPES.get(role, set())
    return frozenset(allowed)


def scope_choices(scopes=ALL_SCOPES) -> list[tuple[str, str]]:
    """Form choices; the labels stay lazy (a form class built at import time must still
    read in each reader's language)."""
    return [
        (scope, format_lazy("{} · {}", scope, SCOPE_LABELS[scope]))
        for scope in ALL_SCOPES
        if scope in scopes
    ]
