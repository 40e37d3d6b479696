"""Templates show ID numbers and birthdays only through the masking rule
(customers.masking): `{% personal_data customer as identity %}` then
`{{ identity.id_number_display }}` / `{{ identity.birthday_display }}`; a bare number
through `{{ number|id_mask }}`."""

from django import template

from customers.masking import customer_identity_for, mask_id_number

register = template.Library()


@register.simple_tag(takes_context=True)
def personal_data(context, customer):
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    return customer_identity_for(user=user, customer=customer)


@register.filter
def id_mask(value):
    return mask_id_number(value)
