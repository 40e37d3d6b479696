"""Rules other apps add to logging a contact, so `customers` need not import them.

An app registers a rule in its AppConfig.ready():

    register_contact_rule(key="followups.visit_appointment", check=visit_has_appointment)

`check(record=ContactRecord)` raises ValidationError to refuse the record. The rules run
in `ContactRecord.clean()`, so every door that validates a contact record runs them: the
service `contact_record_create` (the customer page, follow-up completion, feedback
responses, the admin's add, imports, the API) and the admin's change form. A record with
no customer yet (a page form before the view attaches it) is checked by the service."""

from collections.abc import Callable

ContactRule = Callable[..., None]

_rules: dict[str, ContactRule] = {}


def register_contact_rule(*, key: str, check: ContactRule) -> None:
    _rules[key] = check


def contact_rules_check(*, record) -> None:
    """Run every registered rule on `record`; the first refusal raises."""
    if record.customer_id is None:
        return
    for key in sorted(_rules):
        _rules[key](record=record)
