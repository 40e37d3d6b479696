"""Seed the default policy: every document kind required except supplementary agreements
and the agency contract; retention 2 years after the tour for domestic tours, 3 for
outbound. Custodians change both in the admin afterwards."""

from django.db import migrations

KINDS = [
    "travel_contract", "traveller_list", "itinerary", "dispatch_sheet",
    "ground_agency_confirmation", "insurance", "coach_contract", "supplementary_agreements",
    "feedback_form", "guide_report", "agency_contract", "settlement_sheet",
]  # fmt: skip
OPTIONAL = {"supplementary_agreements", "agency_contract"}
RETENTION_YEARS = {"domestic": 2, "outbound": 3}


def seed(apps, schema_editor):
    DocumentRequirement = apps.get_model("archives", "DocumentRequirement")
    RetentionPolicy = apps.get_model("archives", "RetentionPolicy")
    for kind in KINDS:
        DocumentRequirement.objects.get_or_create(
            kind=kind, defaults={"required": kind not in OPTIONAL}
        )
    for trip_type, years in RETENTION_YEARS.items():
        RetentionPolicy.objects.get_or_create(trip_type=trip_type, defaults={"years": years})


def unseed(apps, schema_editor):
    apps.get_model("archives", "DocumentRequirement").objects.filter(kind__in=KINDS).delete()
    apps.get_model("archives", "RetentionPolicy").objects.filter(
        trip_type__in=RETENTION_YEARS
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("archives", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
