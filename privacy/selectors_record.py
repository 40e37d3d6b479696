"""The record of processing activities (PIPL Art. 54-55), read from the system's own
configuration when the page is asked for: the purposes a person can consent to, the data
the archive holds (the models' fields), who may see it (the roles and their permissions),
how long it is kept (the policies), where it goes abroad (the outbound tours' ground
agencies) and the consent texts in force. Nothing here is a copy kept by hand."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import Group
from django.db.models import Count, Max, Min, Q
from django.utils.translation import gettext, pgettext_lazy

from accounts.roles import CUSTODIAN, MANAGER, ROLE_LABELS, SEE_ALL_ROLES, TEAM_LEAD
from archives.models import RetentionPolicy, TourGroup
from customers.models import Customer, TripType
from customers.models.fields import BlindIndexField, EncryptedIdNumberField
from privacy.models import MARKETING_PURPOSES, Consent, ConsentText, PrivacyPolicy, Purpose
from privacy.services.copy import customer_models

# Derived or technical columns: not categories of personal data.
NOT_CATEGORIES = {
    "id",
    "name_normalised",
    "name_pinyin",
    "name_initials",
    "dormancy_counts_from",
    "last_contacted_at",
    "created_at",
    "updated_at",
    "deleted_at",
    "deleted_by",
    "lost_at",
}
PERSONAL_APPS = {"customers", "privacy", "followups", "loyalty", "tiers", "archives"}


@dataclass(frozen=True)
class Category:
    label: str
    sensitive: bool
    encrypted: bool


def _categories() -> list[Category]:
    fields = [
        f
        for f in Customer._meta.get_fields()
        if getattr(f, "concrete", False)
        and f.name not in NOT_CATEGORIES
        and not isinstance(f, BlindIndexField)
    ]
    fields += list(Customer._meta.many_to_many)
    seen = {}
    for f in fields:
        label = str(f.verbose_name)
        encrypted = isinstance(f, EncryptedIdNumberField)
        seen[label] = Category(label=label, sensitive=encrypted, encrypted=encrypted)
    return list(seen.values())


def _records() -> list[str]:
    """The kinds of records kept about a person: every model pointing to a customer."""
    names = {
        str(model._meta.verbose_name_plural)
        for model, _name in customer_models()
        if not model._meta.model_name.startswith("historical")
    }
    return sorted(names)


ACTIONS = {
    "view": pgettext_lazy("permission", "view"),
    "add": pgettext_lazy("permission", "add"),
    "change": pgettext_lazy("permission", "change"),
    "delete": pgettext_lazy("permission", "delete"),
}


def _permission_summary(permissions) -> list[str]:
    """A role's permissions on personal data, one line per kind of record with the
    actions allowed ("customer: view, add, change"), in the reader's language; a
    permission of its own (export, destroy) by its translated name."""
    by_model: dict[str, list[str]] = {}
    special: list[str] = []
    for permission in permissions:
        model = permission.content_type.model_class()
        action = permission.codename.split("_", 1)[0]
        if model is None:
            continue
        if action in ACTIONS and permission.codename == f"{action}_{model._meta.model_name}":
            by_model.setdefault(str(model._meta.verbose_name), []).append(action)
        else:
            special.append(gettext(permission.name))
    lines = [
        f"{name}: {'、'.join(str(ACTIONS[a]) for a in ACTIONS if a in actions)}"
        for name, actions in sorted(by_model.items())
    ]
    return lines + sorted(special)


def _roles() -> list[dict]:
    permissions = {
        group.name: _permission_summary(
            p for p in group.permissions.all() if p.content_type.app_label in PERSONAL_APPS
        )
        for group in Group.objects.prefetch_related("permissions__content_type")
    }
    rows = []
    for role, label in ROLE_LABELS.items():
        if role in SEE_ALL_ROLES:
            scope = "all"
        elif role == TEAM_LEAD:
            scope = "team"
        else:
            scope = "own"
        rows.append(
            {
                "role": role,
                "label": label,
                "scope": scope,
                "requests": role in (CUSTODIAN, MANAGER),
                "permissions": permissions.get(role, []),
            }
        )
    return rows


def processing_record(*, today: datetime.date) -> dict:
    """Everything the page shows. A fixed number of queries (eight)."""
    in_force = dict(
        Consent.objects.filter(withdrawn_at__isnull=True)
        .values_list("purpose")
        .annotate(n=Count("pk"))
        .order_by()
    )
    purposes = [
        {
            "value": p.value,
            "label": p.label,
            "marketing": p in MARKETING_PURPOSES,
            "separate": p in (Purpose.CROSS_BORDER, Purpose.SENSITIVE_ID),
            "people": in_force.get(p.value, 0),
        }
        for p in Purpose
    ]
    texts = list(
        ConsentText.objects.filter(published_on__lte=today)
        .annotate(in_force=Count("consent", filter=Q(consent__withdrawn_at__isnull=True)))
        .order_by("-published_on", "-id")
    )
    texts = [t for t in texts if t.in_force] or texts[:1]
    policy = PrivacyPolicy.current()
    retention = list(RetentionPolicy.objects.order_by("trip_type"))
    abroad = list(
        TourGroup.objects.filter(trip_type=TripType.OUTBOUND)
        .exclude(ground_agency="")
        .values("ground_agency")
        .annotate(tours=Count("pk"), first=Min("start_date"), last=Max("end_date"))
        .order_by("ground_agency")
    )
    return {
        "purposes": purposes,
        "categories": _categories(),
        "records": _records(),
        "roles": _roles(),
        "policy": policy,
        "retention": retention,
        "outbox_keep_days": settings.OUTBOX_KEEP_DAYS,
        "abroad": abroad,
        "texts": texts,
        "generated_on": today,
    }
