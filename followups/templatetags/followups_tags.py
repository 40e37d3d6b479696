from django import template
from django.utils import timezone

from followups.models import Followup, FollowupStatus

register = template.Library()


@register.simple_tag(takes_context=True)
def my_day_count(context) -> int:
    """Open follow-ups due today or earlier for the signed-in rep: one indexed COUNT
    (owner, status, due_on) per page, cached on the user for the request."""
    user = context.get("user")
    if user is None or not user.is_authenticated:
        return 0
    cached = getattr(user, "_my_day_count", None)
    if cached is None:
        cached = Followup.objects.filter(
            owner=user, status=FollowupStatus.OPEN, due_on__lte=timezone.localdate()
        ).count()
        user._my_day_count = cached
    return cached
