"""Withdrawn marketing consent takes effect at once: what was planned under it goes."""

from django.utils import timezone
from django.utils.translation import gettext

from followups.models import Followup, FollowupKind, FollowupStatus
from privacy.selectors import marketing_channels

# Planned contacts that are marketing (greetings, routine calls); post-trip visits,
# feedback and agreed visits are service and stay.
MARKETING_KINDS = (FollowupKind.GREETING, FollowupKind.REGULAR)


def consent_withdrawn_receiver(sender, *, customer_id, purposes, now=None, **kwargs) -> int:
    """Skips the customer's open marketing follow-ups by the withdrawn channels."""
    channels = marketing_channels(purposes)
    if not channels:
        return 0
    return Followup.objects.filter(
        customer_id=customer_id,
        status=FollowupStatus.OPEN,
        kind__in=MARKETING_KINDS,
        channel__in=channels,
    ).update(
        status=FollowupStatus.SKIPPED,
        note=gettext("Marketing consent withdrawn"),
        completed_at=now or timezone.now(),
    )
