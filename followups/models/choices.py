from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class FollowupKind(models.TextChoices):
    POST_TRIP = "post_trip", _("Post-trip visit")
    REGULAR = "regular", _("Regular contact")
    KEY_ACCOUNT = "key_account", _("Key-account monthly visit")
    WEEKLY_VISIT = "weekly_visit", _("Standing weekly visit")
    GREETING = "greeting", _("Greeting")
    FEEDBACK = "feedback", _("Feedback response")


# On-site visits: "visited" needs an appointment agreed by phone first.
VISIT_KINDS = frozenset({FollowupKind.KEY_ACCOUNT, FollowupKind.WEEKLY_VISIT})
# Date-bound or urgent work the frequency cap never moves: greetings fall on their day,
# standing visits were agreed with the customer, complaints are answered at once.
UNCAPPED_KINDS = frozenset(
    {FollowupKind.GREETING, FollowupKind.WEEKLY_VISIT, FollowupKind.FEEDBACK}
)


class FollowupStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("follow-up status", "Open")
    DONE = "done", _("Done")
    SKIPPED = "skipped", _("Skipped")
    SUPERSEDED = "superseded", _("Superseded by a later contact")


class Occasion(models.TextChoices):
    BIRTHDAY = "birthday", _("Birthday")
    WEDDING = "wedding", _("Wedding anniversary")
    FOUNDING = "founding", _("Company founding anniversary")
    SPRING_FESTIVAL = "spring_festival", _("Spring Festival")
    DRAGON_BOAT = "dragon_boat", _("Dragon Boat Festival")
    MID_AUTUMN = "mid_autumn", _("Mid-Autumn Festival")
    NEW_YEAR = "new_year", _("New Year's Day")
    NATIONAL_DAY = "national_day", _("National Day")


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class InvitationReply(models.TextChoices):
    PENDING = "pending", _("No reply yet")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
