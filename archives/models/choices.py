from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class DocumentKind(models.TextChoices):
    """The twelve documents of a tour group's business archive (DOMAIN.md §2), in the
    handbook's order; the checklist shows them in this order."""

    TRAVEL_CONTRACT = "travel_contract", _("Travel contract")
    TRAVELLER_LIST = "traveller_list", _("Traveller list")
    ITINERARY = "itinerary", _("Itinerary")
    DISPATCH_SHEET = "dispatch_sheet", _("Dispatch sheet")
    GROUND_AGENCY_CONFIRMATION = "ground_agency_confirmation", _("Ground-agency confirmation")
    INSURANCE = "insurance", _("Group and accident insurance")
    COACH_CONTRACT = "coach_contract", _("Coach contract")
    SUPPLEMENTARY_AGREEMENTS = "supplementary_agreements", _("Supplementary agreements")
    FEEDBACK_FORM = "feedback_form", _("Traveller feedback form")
    GUIDE_REPORT = "guide_report", _("Guide's tour report")
    AGENCY_CONTRACT = "agency_contract", _("Agency contract")
    SETTLEMENT_SHEET = "settlement_sheet", _("Settlement sheet")


# The default policy, seeded by migration 0002: everything is required except the
# supplementary agreements (8) and the agency-to-agency contract (11), which only some
# tours have.
OPTIONAL_BY_DEFAULT = frozenset(
    {DocumentKind.SUPPLEMENTARY_AGREEMENTS, DocumentKind.AGENCY_CONTRACT}
)


class ArchiveStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("archive status", "Open")
    ARCHIVED = "archived", _("Archived")
    DESTROYED = "destroyed", _("Destroyed")
