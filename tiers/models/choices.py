from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class VolumeRule(models.TextChoices):
    TOP_SHARE = "top_share", _("Top share of customers by 12-month spend")
    FIXED_AMOUNT = "fixed_amount", _("Fixed 12-month spend")


class Quadrant(models.TextChoices):
    """The four kinds of customer 四类客户 by sales volume and loyalty (DOMAIN.md §3)."""

    CORE = "core", _("Core: develop and keep")
    UNSTABLE = "unstable", _("Unstable: strengthen care")
    NURTURE = "nurture", _("Future: nurture")
    RETIRE = "retire", _("No value: retire")


class ChangeType(models.TextChoices):
    UPGRADE = "upgrade", _("Upgrade")
    DOWNGRADE = "downgrade", _("Downgrade")
    NEW = "new", pgettext_lazy("grade change", "New grade")
    UNCHANGED = "unchanged", _("Unchanged")


class ProposalReason(models.TextChoices):
    FIRST_GRADE = "first_grade", _("First grade from 12-month spend")
    SPEND_GRADE = "spend_grade", _("The 12-month spend implies another grade")
    # The three below are kept for the evaluations made before the review followed the
    # spend both ways (issue 14); new evaluations do not propose them.
    SPEND_GROWTH = "spend_growth", _("Spend reached a higher grade and grew strongly")
    FREQUENCY_GROWTH = "frequency_growth", _("Spend reached a higher grade; more bookings")
    INACTIVE = "inactive", _("Long inactivity")
    COMPLAINTS = "complaints", _("Complaints on record")


class ProposalStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting the committee")
    APPROVED = "approved", _("Approved")
    OVERRIDDEN = "overridden", _("Overridden: another grade")
    REJECTED = "rejected", _("Rejected")


class ChangeSource(models.TextChoices):
    EVALUATION = "evaluation", _("Half-yearly evaluation")
    MANUAL = "manual", _("Manual override")


class NotificationChannel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")
    PHONE = "phone", _("Phone call")


class NotificationStatus(models.TextChoices):
    PENDING = "pending", _("To do")
    SENT = "sent", _("Sent")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
