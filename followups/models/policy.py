import datetime

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from customers.models import Grade


def _days(label, default, *, low=1, high=366, help_text=""):
    return models.PositiveSmallIntegerField(
        label,
        default=default,
        validators=[MinValueValidator(low), MaxValueValidator(high)],
        help_text=help_text,
    )


class FollowupPolicy(models.Model):
    """The return-visit policy 回访制度 (DOMAIN.md §4). Versioned: managers add a row with
    the date it takes effect; each planning run uses the row in force on its date, and
    follow-ups keep the due dates they were planned with, so a change never rewrites the
    past."""

    effective_from = models.DateField(_("in force from"), unique=True)
    post_trip_days = _days(_("post-trip visit, days after the trip ends"), 3, low=0, high=60)
    cadence_a_days = _days(_("regular contact, grade A: every … days"), 30)
    cadence_b_days = _days(_("regular contact, grade B: every … days"), 45)
    cadence_c_days = _days(
        _("regular contact, grade C: every … days"),
        60,
        help_text=_("Also for customers not graded yet."),
    )
    frequency_cap_days = _days(
        _("frequency cap: days between two non-urgent contacts"), 14, low=0, high=90
    )
    plan_ahead_days = _days(
        _("plan regular contacts and standing visits … days ahead"), 7, low=0, high=30
    )
    greeting_lead_days = _days(_("greetings: days ahead of the occasion"), 3, low=0, high=30)
    key_account_visit_day = _days(
        _("key-account monthly visit due by day of the month"), 10, high=28
    )
    feedback_response_hours = _days(_("feedback: respond within … hours"), 48, high=720)
    mailing_cap_days = _days(
        _("catalogue mailings: at most one per customer every … days"), 90, low=0, high=730
    )
    # Early warnings 预警 for grade A customers and key accounts: net spend over the last
    # 3 months against the same 3 months a year earlier (followups.services.warnings).
    warning_fall_percent = _days(
        _("early warning: spend fell by more than … %"),
        50,
        high=100,
        help_text=_(
            "Grade A and key accounts, the last 3 months against the same months a year "
            "earlier. 50: raised when spend is below half."
        ),
    )
    warning_rise_percent = _days(
        _("opportunity: spend rose by more than … %"),
        100,
        high=1000,
        help_text=_("100: shown when spend is more than double."),
    )
    notes = models.CharField(_("why it changed"), max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("return-visit policy")
        verbose_name_plural = _("return-visit policies")
        ordering = ["-effective_from"]

    def __str__(self) -> str:
        return str(_("Policy from %(date)s") % {"date": self.effective_from.isoformat()})

    @classmethod
    def in_force(cls, *, today: datetime.date) -> "FollowupPolicy":
        """The row in force on `today`; the defaults if managers never saved one."""
        policy = cls.objects.filter(effective_from__lte=today).order_by("-effective_from").first()
        return policy or cls(effective_from=datetime.date(2000, 1, 1))

    def cadence_days(self, grade: str) -> int:
        return {Grade.A: self.cadence_a_days, Grade.B: self.cadence_b_days}.get(
            grade, self.cadence_c_days
        )
