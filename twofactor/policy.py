"""Who must use two-factor sign-in: one rule, read from the custody policy that managers
edit in the admin (CustodyPolicy.two_factor_roles, kept with its history).

A model field rather than an environment setting: turning the rule on for another role
is a management decision that must not wait for a deploy, and the change is recorded.
"""

from accounts.roles import role_names
from customers.models import CustodyPolicy
from customers.models.custody import TWO_FACTOR_SUPERUSER


def required_roles() -> frozenset[str]:
    """Role keys (and "superuser") for which the policy requires two-factor sign-in.
    tests/conftest.py replaces this with an empty set for the suite's default."""
    return frozenset(CustodyPolicy.current().two_factor_roles or ())


def two_factor_required(user) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    roles = required_roles()
    if not roles:
        return False
    if user.is_superuser and TWO_FACTOR_SUPERUSER in roles:
        return True
    return bool(role_names(user) & roles)
