from django.core.exceptions import ValidationError


class PointsRefused(ValidationError):
    """A points operation the rules do not allow; the message says why, for staff."""
