from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class LevelCode(models.TextChoices):
    """Card levels 积分卡等级, lowest first. Each rulebook version sets their rules."""

    STANDARD = "standard", _("Standard card")
    SILVER = "silver", _("Silver card")
    GOLD = "gold", _("Gold card")
    PLATINUM = "platinum", _("Platinum card")


LEVEL_RANK = {code: rank for rank, code in enumerate(LevelCode.values)}


class CardStatus(models.TextChoices):
    ACTIVE = "active", pgettext_lazy("card status", "Active")
    FROZEN = "frozen", _("Frozen")


class EntryKind(models.TextChoices):
    EARN = "earn", _("Earned")
    REDEEM = "redeem", _("Redeemed")
    EXPIRE = "expire", _("Expired")
    REVERSE = "reverse", _("Reversed (refund)")
    ADJUST = "adjust", _("Adjusted")
    CANCEL = "cancel", _("Returned (redemption cancelled)")
    # A booking paid again after a cancellation, or whose amount was corrected upwards:
    # the difference, so that a booking holds exactly the points its net paid amount earns.
    TOPUP = "topup", _("Earned (correction)")


# Entries that open a lot of points with an expiry date (positive adjustments too).
LOT_KINDS = (EntryKind.EARN, EntryKind.TOPUP, EntryKind.ADJUST)


class RewardKind(models.TextChoices):
    TRAVEL_PRODUCT = "travel_product", _("Travel product")
    SERVICE = "service", _("Service")
    VOUCHER = "voucher", _("Voucher")


class RedemptionStatus(models.TextChoices):
    REDEEMED = "redeemed", _("Redeemed")
    CANCELLED = "cancelled", _("Cancelled")


class AnnualRewardStatus(models.TextChoices):
    ISSUED = "issued", _("Issued")
    USED = "used", _("Used")
