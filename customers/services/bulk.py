"""Bulk changes from the customer list 批量操作: a team lead or manager ticks rows and
gives them to another rep, adds or removes a tag, or moves them to the recycle bin.
One path for all of them, with the rules of the single-customer doors: who may change
a customer (customer_can_edit), whom a customer may go to (owner_choices), the
mass-deletion guard (customers_soft_delete), history and audit for every row."""

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_update_with_history

from accounts.roles import MANAGER, TEAM_LEAD, has_role
from customers.audit import audit_record_many
from customers.models import AuditAction, Customer, Tag
from customers.selectors import customer_list_editable_by_ids, owner_choices
from customers.services.archive import customers_soft_delete
from customers.signals import announce_customers_reassigned, customers_saved_many

REASSIGN = "reassign"
ADD_TAG = "add_tag"
REMOVE_TAG = "remove_tag"
DELETE = "delete"
BULK_ACTIONS = [
    (REASSIGN, gettext_lazy("Give to rep")),
    (ADD_TAG, gettext_lazy("Add tag")),
    (REMOVE_TAG, gettext_lazy("Remove tag")),
    (DELETE, gettext_lazy("Move to recycle bin")),
]
# More than a page or two at once is not a tick-the-rows job: a departure goes through the
# handover page, a re-tagging of hundreds through an import.
BULK_LIMIT = 100


def customers_bulk_allowed(*, user) -> bool:
    """Bulk actions are for those who manage other people's customers."""
    return has_role(user, TEAM_LEAD, MANAGER)


def customers_bulk_update(
    *,
    actor,
    customer_ids: Iterable,
    action: str,
    owner=None,
    tag: Tag | None = None,
) -> int:
    """Apply `action` to the customers named by `customer_ids`; returns how many changed.
    Raises Http404 when any id is outside what `actor` may change, PermissionDenied for
    a rep, ValidationError for a bad choice, MassActionRefused past the deletion limit.
    All or nothing: one transaction."""
    if not customers_bulk_allowed(user=actor):
        raise PermissionDenied
    ids = list(customer_ids)
    if not ids:
        raise ValidationError(_("Tick at least one customer."))
    if len(set(ids)) > BULK_LIMIT:
        raise ValidationError(_("At most %(limit)d customers at a time.") % {"limit": BULK_LIMIT})
    if action == REASSIGN:
        if owner is None or not owner_choices(user=actor).filter(pk=owner.pk).exists():
            raise ValidationError(_("Choose a rep you may give customers to."))
    elif action in (ADD_TAG, REMOVE_TAG):
        if tag is None:
            raise ValidationError(_("Choose a tag."))
    elif action != DELETE:
        raise ValidationError(_("Choose what to do with the ticked customers."))
    if action == DELETE:
        # Outside this function's transaction: a refusal past the limit records its alert
        # and mails the managers, which a rollback here would undo.
        with transaction.atomic():
            customers = customer_list_editable_by_ids(user=actor, ids=ids)
        return customers_soft_delete(actor=actor, customers=customers)
    with transaction.atomic():
        customers = customer_list_editable_by_ids(user=actor, ids=ids)
        if action == REASSIGN:
            return _reassign(actor=actor, customers=customers, owner=owner)
        return _retag(actor=actor, customers=customers, tag=tag, add=action == ADD_TAG)


def _reassign(*, actor, customers: list[Customer], owner) -> int:
    """As a change of owner on the customer form: history, an audit entry per customer,
    the follow-ups' new owner (customers_reassigned) and the webhooks (customers_saved_many)."""
    moving = [customer for customer in customers if customer.owner_id != owner.pk]
    before = {customer.pk: customer.owner.username for customer in moving}
    for customer in moving:
        customer.owner = owner
    if not moving:
        return 0
    bulk_update_with_history(
        moving,
        Customer,
        ["owner"],
        batch_size=500,
        default_user=actor,
        default_change_reason="bulk reassign",
    )
    audit_record_many(
        actor=actor,
        action=AuditAction.CHANGE,
        items=[
            (c, {"fields": ["owner"], "from": before[c.pk], "to": owner.username, "bulk": True})
            for c in moving
        ],
    )
    customers_saved_many.send(
        sender=Customer, created_ids=[], updated={c.pk: ["owner"] for c in moving}, actor=actor
    )
    announce_customers_reassigned(customer_ids=[c.pk for c in moving], actor=actor)
    return len(moving)


def _retag(*, actor, customers: list[Customer], tag: Tag, add: bool) -> int:
    links = Customer.tags.through.objects.filter(tag=tag, customer__in=customers)
    tagged = set(links.values_list("customer_id", flat=True))
    changing = [c for c in customers if (c.pk in tagged) != add]
    if not changing:
        return 0
    for customer in changing:
        # Through the customer's own manager, one customer at a time (at most BULK_LIMIT):
        # simple-history records the tags with each change, as the customer form's do.
        customer._history_user = actor
        customer._change_reason = "bulk tag"
        if add:
            customer.tags.add(tag)
        else:
            customer.tags.remove(tag)
    detail = {"fields": ["tags"], "added" if add else "removed": tag.name, "bulk": True}
    audit_record_many(actor=actor, action=AuditAction.CHANGE, items=[(c, detail) for c in changing])
    customers_saved_many.send(
        sender=Customer, created_ids=[], updated={c.pk: ["tags"] for c in changing}, actor=actor
    )
    return len(changing)
