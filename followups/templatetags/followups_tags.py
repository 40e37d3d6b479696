from django import template
from django.utils import timezone

from followups.selectors import due_count_for

register = template.Library()


@register.simple_tag(takes_context=True)
def my_day_count(context) -> int:
    """Open follow-ups due today or earlier for the signed-in rep (the customers they own,
    and feedback assigned to them): one query per page (none on My day, which counted
    them already), cached on the user for the request."""
    user = context.get("user")
    if user is None or not user.is_authenticated:
        return 0
    cached = getattr(user, "_my_day_count", None)
    if cached is None:
        cached = due_count_for(user=user, today=timezone.localdate())
        user._my_day_count = cached
    return cached
