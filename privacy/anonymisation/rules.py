"""What anonymisation does with each kind of row, and the words it uses."""

from django.apps import apps
from django.conf import settings
from django.db.models import QuerySet
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext_lazy

from privacy.selectors_requests import rights_requests_allowed

# What is done with each model pointing to a customer (label → "anonymised" or the kept
# reason code). privacy_anonymise below does the "anonymised" ones.
HANDLED = {
    "customers.Customer": "anonymised",
    "customers.HistoricalCustomer": "anonymised",
    "customers.HistoricalCustomer_tags": "anonymised",  # deleted: preferences
    "customers.HistoricalCustomer_desired_destinations": "anonymised",  # deleted
    "customers.ContactPerson": "anonymised",
    "customers.HistoricalContactPerson": "anonymised",
    "customers.ContactRecord": "anonymised",
    "customers.ServiceRecord": "anonymised",
    "customers.AuditEntry": "anonymised",  # the name in object_repr; the facts stay
    "customers.AccessRequest": "anonymised",
    "customers.Booking": "accounting",
    "customers.HistoricalBooking": "accounting",
    "customers.HandoverItem": "no_personal_data",
    "privacy.Consent": "proof",
    "privacy.RightsRequest": "anonymised",
    "privacy.Anonymisation": "proof",
    "privacy.DormantProposal": "proof",
    "tiers.Proposal": "anonymised",
    "tiers.GradeChange": "anonymised",
    "tiers.GradeNotification": "anonymised",
    "tiers.CustomerSnapshot": "no_personal_data",
    "customers.OwnerOverdueCustomer": "no_personal_data",  # sums, refreshed from bookings
    "followups.Followup": "anonymised",
    "followups.StandingVisit": "anonymised",
    "followups.KeyAccountRecord": "anonymised",
    "followups.MailingRecipient": "anonymised",
    "followups.CustomerWarning": "anonymised",
    "followups.EventInvitation": "no_personal_data",
    "loyalty.Card": "accounting",
    "loyalty.AnnualReward": "accounting",
}

# Kept things, stored as codes and read in the reader's language.
KEPT_WHAT = {
    "bookings": ngettext_lazy(
        "%(count)s booking: amount, date and booking number",
        "%(count)s bookings: amounts, dates and booking numbers",
        "count",
    ),
    "archive": gettext_lazy("Business archive of tour %(group)s (kept until %(until)s)"),
    "points": gettext_lazy("The points card and its ledger sums"),
    "consents": gettext_lazy("The dates and purposes of consent and withdrawal"),
    "audit": gettext_lazy("The audit log's entries (who did what, when), without the name"),
    "name": gettext_lazy("The organisation's name (not personal information)"),
    "imports": gettext_lazy(
        "Spreadsheet files imported on %(dates)s: they still contain the person until they "
        "are deleted, %(days)s days after their upload"
    ),
}
KEPT_WHY = {
    "accounting": gettext_lazy("accounting records the law requires the agency to keep"),
    "retention": gettext_lazy(
        "the Travel Agency Regulations require business archives to be kept for their "
        "retention period"
    ),
    "proof": gettext_lazy("proof that the person's consent and requests were honoured"),
    "audit": gettext_lazy("the agency must show who processed personal information"),
    "not_personal": gettext_lazy("it is not personal information"),
    "many_people": gettext_lazy(
        "an uploaded file holds many people and is not edited; the import's record and counts stay"
    ),
}
CHANGED_LABELS = {
    "customer": gettext_lazy("Name, ID number, phones, e-mail, address, dates and notes"),
    "customer_history": gettext_lazy("Change history of the archive"),
    "preferences": gettext_lazy("Tags and desired destinations"),
    "contact_people": gettext_lazy("Contact people (names, phones, e-mails), with history"),
    "contact_records": gettext_lazy("Notes of contact records"),
    "service_records": gettext_lazy("Texts of service records and feedback"),
    "followups": gettext_lazy("Follow-up notes (open follow-ups are skipped)"),
    "care": gettext_lazy("Key-account records, mailing labels, standing visits, warnings"),
    "tiers": gettext_lazy("Notes on grade changes and notification addresses"),
    "requests": gettext_lazy("Texts of access and personal-information requests"),
    "audit": gettext_lazy("Names in the audit log"),
    "outbox": gettext_lazy(
        "Outgoing e-mails to or about the person (those still waiting are cancelled)"
    ),
    "webhooks": gettext_lazy("Webhook deliveries carrying the person's details"),
    "audit_details": gettext_lazy(
        "Names, phones, e-mails and ID numbers in the audit log's details (searches, "
        "filters, changes)"
    ),
}

# Customer columns emptied ("" or NULL); the name gets the placeholder.
BLANK_FIELDS = [
    "policy_first_class", "id_number", "sex", "occupation", "mobile", "phone", "email",
    "province", "city", "district", "street_address", "postal_code", "pref_airline",
    "pref_aircraft_size", "pref_seat", "pref_hotel_class", "pref_diet", "character_notes",
]  # fmt: skip
NULL_FIELDS = ["birthday", "wedding_anniversary"]
HISTORY_M2M = (
    "customers.HistoricalCustomer_tags",
    "customers.HistoricalCustomer_desired_destinations",
)


def placeholder(customer_id: int) -> str:
    """The neutral name an anonymised person carries, in the office language."""
    with translation.override(settings.LANGUAGE_CODE):
        return _("Anonymised #%(id)s") % {"id": customer_id}


def anonymised_text() -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return _("(anonymised)")


def privacy_can_anonymise(user) -> bool:
    """Custodians and managers: those who answer a person's requests, by the one rule
    of the requests' pages (an active account, never a service account)."""
    return rights_requests_allowed(user)


def _model(label: str):
    app_label, name = label.split(".")
    try:
        return apps.get_model(app_label, name)
    except LookupError:
        return None


def _plain(model) -> QuerySet:
    """A queryset without the model's own guards: the audit log refuses `update()` to
    every writer but this one, which removes a name from it."""
    return QuerySet(model=model)
