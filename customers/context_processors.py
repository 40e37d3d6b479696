from accounts.roles import MANAGER, has_role
from customers.models import AccessRequest, AccessRequestStatus, SecurityAlert


def custody(request):
    """Counts managers must act on, for the navigation bar (two queries, managers only)."""
    if not has_role(request.user, MANAGER):
        return {}
    return {
        "custody": {
            "open_alerts": SecurityAlert.objects.filter(acknowledged_at__isnull=True).count(),
            "pending_access": AccessRequest.objects.filter(
                status=AccessRequestStatus.PENDING
            ).count(),
        }
    }
