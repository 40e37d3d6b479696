"""Follow-ups keep the facts behind their reason, not the sentence.

The planning job used to store the reason (and the frequency cap's note) as prose in the
office language, so an English page showed Chinese. Now the facts (dates, product,
route, month, feedback summary) go in `facts` and the cap's days in `cap_days`, and the
sentence is rendered with gettext when it is read.

Existing rows are converted set-based, one UPDATE per kind, from what the row already
links to: its booking, its occasion key ("since:2026-09-01", "month:2026-11"), its
standing visit, its feedback, its planned date. The grade of a regular contact is the
customer's grade now (the old sentence's grade is not parsed back). The old columns
are dropped by 0004, in a transaction of its own: PostgreSQL refuses to ALTER a table
with pending trigger events from this migration's UPDATEs."""

import re

from django.db import migrations, models
from django.db.models import F, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce, JSONObject, NullIf, Substr


def facts_from_rows(apps, schema_editor):
    Followup = apps.get_model("followups", "Followup")
    if not any(field.name == "reason" for field in Followup._meta.get_fields()):
        return  # today's models (tests/conftest.py replays data migrations): nothing to convert
    if not Followup.objects.exists():
        return
    Booking = apps.get_model("customers", "Booking")
    Customer = apps.get_model("customers", "Customer")
    ServiceRecord = apps.get_model("customers", "ServiceRecord")
    StandingVisit = apps.get_model("followups", "StandingVisit")

    def field_of(model, pk_field, field):
        return Subquery(model.objects.filter(pk=OuterRef(pk_field)).values(field)[:1])

    rows = Followup.objects.all()
    rows.filter(kind="post_trip").update(
        facts=JSONObject(
            end=field_of(Booking, "booking_id", "end_date"),
            product=field_of(Booking, "booking_id", "product"),
        )
    )
    grade = Coalesce(
        NullIf(field_of(Customer, "customer_id", "grade"), Value("")), Value("C")
    )
    rows.filter(kind="regular", occasion_key="since:none").update(facts=JSONObject(grade=grade))
    rows.filter(kind="regular").exclude(occasion_key="since:none").update(
        facts=JSONObject(last=Substr("occasion_key", 7), grade=grade)
    )
    rows.filter(kind="key_account").update(facts=JSONObject(month=Substr("occasion_key", 7)))
    rows.filter(kind="weekly_visit").update(
        facts=JSONObject(
            route=Coalesce(field_of(StandingVisit, "standing_visit_id", "route"), Value("")),
            day=F("planned_on"),
        )
    )
    rows.filter(kind="greeting").update(facts=JSONObject(day=F("planned_on")))
    rows.filter(kind="feedback").update(
        facts=JSONObject(
            summary=Coalesce(field_of(ServiceRecord, "service_record_id", "summary"), Value(""))
        )
    )
    # The cap's note said "… the 14-day frequency cap …": one UPDATE per distinct note.
    notes = rows.exclude(cap_note="").order_by().values_list("cap_note", flat=True).distinct()
    for note in list(notes):
        days = re.search(r"\d+", note)
        if days:
            rows.filter(cap_note=note).update(cap_days=int(days.group()))


class Migration(migrations.Migration):
    dependencies = [
        ("followups", "0002_policy_and_permissions"),
        ("customers", "0008_feedback_flow"),
    ]

    operations = [
        migrations.AddField(
            model_name="followup",
            name="cap_days",
            field=models.PositiveSmallIntegerField(
                blank=True, null=True, verbose_name="moved by the frequency cap (days)"
            ),
        ),
        migrations.AddField(
            model_name="followup",
            name="facts",
            field=models.JSONField(blank=True, default=dict, verbose_name="facts"),
        ),
        migrations.RunPython(facts_from_rows, migrations.RunPython.noop),
    ]
