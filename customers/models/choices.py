from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CustomerKind(models.TextChoices):
    INDIVIDUAL = "individual", _("Individual traveller")
    CORPORATE = "corporate", _("Corporate client")
    SUPPLIER = "supplier", _("Supplier")
    MEDIA = "media", _("Media")


class OrganisationType(models.TextChoices):
    GOVERNMENT = "government", _("Government")
    STATE_OWNED = "state_owned", _("State-owned enterprise")
    PRIVATE = "private", _("Private enterprise")
    MULTINATIONAL = "multinational", _("Multinational")


class FareRule(models.TextChoices):
    LOWEST = "lowest", _("Lowest fare")
    BEST = "best", _("Best fare (value for time)")


class SupplierType(models.TextChoices):
    HOTEL = "hotel", _("Hotel")
    AIRLINE = "airline", _("Airline")
    GROUND_AGENCY = "ground_agency", _("Ground agency")
    SCENIC_SPOT = "scenic_spot", _("Scenic spot")
    COACH = "coach", _("Coach company")


class SourceChannel(models.TextChoices):
    WALK_IN = "walk_in", _("Walk-in")
    REFERRAL = "referral", _("Referral")
    WEBSITE = "website", _("Website")
    CALL_CENTRE = "call_centre", _("Call centre")
    CHANNEL_PARTNER = "channel_partner", _("Channel partner")
    OTHER = "other", _("Other")


class CustomerStatus(models.TextChoices):
    ACTIVE = "active", pgettext_lazy("customer status", "Active")
    DORMANT = "dormant", _("Dormant")
    RETIRED = "retired", _("Retired")
    LOST = "lost", _("Lost")


class Grade(models.TextChoices):
    """The customer grade 客户等级 (DOMAIN.md §3). Set only by tiers' approved evaluations
    and manager overrides; blank until a customer has been graded."""

    A = "A", _("Grade A")
    B = "B", _("Grade B")
    C = "C", _("Grade C")


class ChurnReason(models.TextChoices):
    """Why customers leave, with the handbook's shares (DOMAIN.md §1)."""

    DECEASED = "deceased", _("Deceased")
    MOVED_AWAY = "moved_away", _("Moved away")
    NOT_TARGET = "not_target", _("No longer a target customer")
    PRICE = "price", _("Price")
    PRODUCT_DEFECT = "product_defect", _("Product defect")
    POOR_SERVICE = "poor_service", _("Poor service")


HANDBOOK_CHURN_SHARE = {
    ChurnReason.DECEASED: 1,
    ChurnReason.MOVED_AWAY: 3,
    ChurnReason.NOT_TARGET: 5,
    ChurnReason.PRICE: 9,
    ChurnReason.PRODUCT_DEFECT: 14,
    ChurnReason.POOR_SERVICE: 68,
}


class Sex(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


class SeatPreference(models.TextChoices):
    AISLE = "aisle", _("Aisle")
    WINDOW = "window", _("Window")


class AircraftSize(models.TextChoices):
    WIDE_BODY = "wide", _("Wide-body")
    NARROW_BODY = "narrow", _("Narrow-body")


class HotelClass(models.TextChoices):
    ECONOMY = "economy", _("Economy")
    THREE_STAR = "3", _("Three-star")
    FOUR_STAR = "4", _("Four-star")
    FIVE_STAR = "5", _("Five-star / luxury")


class TripType(models.TextChoices):
    DOMESTIC = "domestic", _("Domestic")
    OUTBOUND = "outbound", _("Outbound")


class BookingStatus(models.TextChoices):
    BOOKED = "booked", _("Booked")
    PAID = "paid", _("Paid")
    CANCELLED = "cancelled", _("Cancelled")
    REFUNDED = "refunded", _("Refunded")


class ContactChannel(models.TextChoices):
    PHONE = "phone", _("Phone call")
    VISIT = "visit", _("On-site visit")
    WECHAT = "wechat", _("WeChat")
    SMS = "sms", _("SMS")
    EMAIL = "email", _("E-mail")
    MEETING = "meeting", _("Meeting at the agency")
    CARD = "card", _("Card or gift")


class ContactOutcome(models.TextChoices):
    REACHED = "reached", _("Reached, talked")
    NO_ANSWER = "no_answer", _("No answer")
    CALL_BACK = "call_back", _("Asked to call back")
    INTERESTED = "interested", _("Interested in a trip")
    BOOKED = "booked", _("Booked")
    NOT_INTERESTED = "not_interested", _("Not interested")


class ServiceKind(models.TextChoices):
    COMPLAINT = "complaint", _("Complaint")
    REQUEST = "request", _("Request")
    SUGGESTION = "suggestion", _("Suggestion")
    PRAISE = "praise", _("Praise")


class ServiceStatus(models.TextChoices):
    """The feedback flow 意见反馈: source → reception → response → handling and correction
    → archive. The stored values of the first and last step predate the flow."""

    OPEN = "open", pgettext_lazy("service record status", "Received")
    RESPONDED = "responded", _("Responded")
    HANDLING = "handling", _("Handling and correction")
    RESOLVED = "resolved", _("Closed and archived")


class FeedbackSource(models.TextChoices):
    """The channel a piece of feedback came in by."""

    PHONE = "phone", _("Phone call")
    VISIT = "visit", _("On-site visit")
    WALK_IN = "walk_in", _("At the agency")
    WECHAT = "wechat", _("WeChat")
    EMAIL = "email", _("E-mail")
    LETTER = "letter", _("Letter")
    WEBSITE = "website", _("Website")
    GUIDE = "guide", _("Via the tour guide")
    SURVEY = "survey", _("Return visit or survey")
