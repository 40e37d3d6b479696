"""The --today argument every job command takes (Asia/Shanghai dates)."""

import datetime

from django.core.management.base import CommandError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

TODAY_HELP = gettext_lazy("Run as if today were this date (YYYY-MM-DD, Asia/Shanghai).")


def parse_today(value: str | None) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value) if value else timezone.localdate()
    except ValueError as error:
        raise CommandError(_("--today must be YYYY-MM-DD: %(error)s") % {"error": error}) from None
