"""`{% deletion_panel %}`: what anonymising the person of a deletion request will change
and keep, and the button to do it (privacy/requests/_deletion.html)."""

from django import template
from django.template.loader import render_to_string

from privacy.anonymisation import anonymisation_plan, kept_labels, privacy_can_anonymise
from privacy.models import RequestKind, RightsRequest

register = template.Library()


def _find_request(context) -> RightsRequest | None:
    """The page's deletion request, by its one name (`rights_request`, as the request's
    page and the anonymise page pass it): never whichever request happens to be somewhere
    in the context (a row of a list, a related object), nor a request of another kind."""
    value = context.get("rights_request")
    return value if isinstance(value, RightsRequest) else None


@register.simple_tag(takes_context=True)
def deletion_panel(context, rights_request=None):
    request = context.get("request")
    rights_request = rights_request or _find_request(context)
    if rights_request is None or request is None:
        return ""
    if rights_request.kind != RequestKind.DELETION:
        return ""
    if not privacy_can_anonymise(request.user):
        return ""
    customer = rights_request.customer
    done = customer.anonymised_at is not None
    record = customer.anonymisations.first() if done else None
    plan = None if done else anonymisation_plan(customer=customer)
    return render_to_string(
        "privacy/requests/_deletion_panel.html",
        {
            "rights_request": rights_request,
            "customer": customer,
            "plan": plan,
            "record": record,
            "record_kept": kept_labels(record.kept) if record else [],
            "next": request.get_full_path(),
        },
        request=request,
    )
