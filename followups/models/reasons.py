"""The sentences a person reads about a follow-up, rendered when they are read.

The database keeps the facts (kind, occasion, dates, product, route, summary…), never the
sentence: a sentence stored at planning time would stay in the language the job ran in.
Everything here calls gettext at display time, in whatever language is active (the
page's language; the calendar feed switches to the office language first)."""

import datetime

from django.utils.translation import gettext

from followups.models.choices import FollowupKind, Occasion


def choice_label(choices, value: str) -> str:
    """The label of `value` in the active language (the value itself when unknown): what
    get_FOO_display says, without hashing every label of the field's choices (a page of
    100 follow-ups translated each kind's label 800 times)."""
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def followup_reason(*, kind: str, occasion: str, facts: dict) -> str:
    """Why a follow-up exists, from its kind, occasion and facts."""
    if kind == FollowupKind.POST_TRIP:
        return gettext("Trip ended %(date)s · %(product)s") % {
            "date": facts.get("end") or "?",
            "product": facts.get("product") or "",
        }
    if kind == FollowupKind.REGULAR:
        grade = facts.get("grade") or "C"
        if facts.get("last"):
            return gettext("Last contact %(date)s · grade %(grade)s") % {
                "date": facts["last"],
                "grade": grade,
            }
        return gettext("No contact on record · grade %(grade)s") % {"grade": grade}
    if kind == FollowupKind.KEY_ACCOUNT:
        return gettext("Monthly key-account visit, %(month)s") % {"month": facts.get("month", "")}
    if kind == FollowupKind.WEEKLY_VISIT:
        if facts.get("route"):
            return gettext("Standing weekly visit: %(route)s") % {"route": facts["route"]}
        return str(FollowupKind.WEEKLY_VISIT.label)
    if kind == FollowupKind.GREETING:
        return gettext("%(occasion)s on %(date)s") % {
            "occasion": choice_label(Occasion, occasion),
            "date": facts.get("day") or "",
        }
    if kind == FollowupKind.FEEDBACK:
        return gettext("Respond to feedback: %(summary)s") % {"summary": facts.get("summary") or ""}
    return choice_label(FollowupKind, kind)


def cap_note(*, planned_on: datetime.date, cap_days: int | None) -> str:
    """Why the frequency cap moved a follow-up; "" when it did not."""
    if not cap_days:
        return ""
    return gettext(
        "Moved from %(date)s by the %(days)d-day frequency cap: another contact is too close."
    ) % {"date": f"{planned_on:%Y-%m-%d}", "days": cap_days}
