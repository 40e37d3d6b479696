from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from customers.models import ContactChannel
from followups.models.choices import (
    UNCAPPED_KINDS,
    VISIT_KINDS,
    FollowupKind,
    FollowupStatus,
    Occasion,
    Weekday,
)
from followups.models.reasons import cap_note, choice_label, followup_reason


class StandingVisit(models.Model):
    """A key account's fixed weekly visit: same day, same time, same route. It counts as
    a standing appointment, so its visits need no phone call first."""

    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="standing_visits",
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    time = models.TimeField(_("time"))
    route = models.CharField(_("route"), max_length=200, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("standing weekly visit")
        verbose_name_plural = _("standing weekly visits")
        ordering = ["weekday", "time"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "weekday"],
                condition=models.Q(active=True),
                name="standingvisit_one_per_weekday",
                violation_error_message=_("This customer already has a visit on that day."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.customer} · {self.get_weekday_display()} {self.time:%H:%M}"


class PlanningRun(models.Model):
    """One row per planning date, claimed first inside the run's transaction: a second
    run for the date, or a second worker at once, finds it and does nothing."""

    run_date = models.DateField(_("run date"), unique=True)
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True)
    created_counts = models.JSONField(_("follow-ups created by kind"), default=dict)
    moved_by_cap = models.PositiveIntegerField(_("moved by the frequency cap"), default=0)
    overdue_feedback = models.PositiveIntegerField(_("newly overdue feedback"), default=0)
    warnings_raised = models.PositiveIntegerField(_("early warnings raised"), default=0)

    class Meta:
        verbose_name = _("planning run")
        verbose_name_plural = _("planning runs")
        ordering = ["-run_date"]

    def __str__(self) -> str:
        return self.run_date.isoformat()

    @property
    def created_total(self) -> int:
        return sum(self.created_counts.values())


class Followup(models.Model):
    """A piece of return-visit work 回访任务: who should contact whom, by when, and why."""

    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="followups",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="followups",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=FollowupKind.choices)
    occasion = models.CharField(_("occasion"), max_length=20, choices=Occasion.choices, blank=True)
    # What makes this follow-up unique for its customer and kind: "booking:42",
    # "birthday:2026", "since:2026-09-01", "month:2026-11", "weekly:7:2026-11-25"…
    occasion_key = models.CharField(_("occasion key"), max_length=60)
    # The facts the reason is written from, in no language (dates as YYYY-MM-DD): the
    # sentence is rendered with gettext when someone reads it (`reason`), so a page in
    # English reads English and one in Chinese reads Chinese. Keys by kind: post_trip
    # end, product; regular last (or null), grade; key_account month; weekly_visit
    # route, day; greeting day; feedback summary.
    facts = models.JSONField(_("facts"), default=dict, blank=True)
    channel = models.CharField(
        _("suggested channel"), max_length=20, choices=ContactChannel.choices
    )
    planned_on = models.DateField(_("planned for"))
    due_on = models.DateField(_("due"))
    # Set when the frequency cap moved it (from planned_on to due_on): the cap in days.
    cap_days = models.PositiveSmallIntegerField(
        _("moved by the frequency cap (days)"), null=True, blank=True
    )
    booking = models.ForeignKey(
        "customers.Booking",
        verbose_name=_("booking"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    service_record = models.ForeignKey(
        "customers.ServiceRecord",
        verbose_name=_("feedback"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    standing_visit = models.ForeignKey(
        StandingVisit,
        verbose_name=_("standing visit"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="followups",
    )
    status = models.CharField(
        _("status"), max_length=12, choices=FollowupStatus.choices, default=FollowupStatus.OPEN
    )
    appointment_at = models.DateTimeField(_("appointment"), null=True, blank=True)
    appointment_confirmed_at = models.DateTimeField(
        _("appointment confirmed by phone at"), null=True, blank=True
    )
    appointment_note = models.CharField(_("appointment note"), max_length=200, blank=True)
    note = models.CharField(_("last reschedule or skip reason"), max_length=300, blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("completed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    contact_record = models.ForeignKey(
        "customers.ContactRecord",
        verbose_name=_("contact record"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    run = models.ForeignKey(
        PlanningRun,
        verbose_name=_("planning run"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="followups",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(fields=["owner", "status", "due_on"], name="followup_owner_day"),
            models.Index(fields=["customer", "status", "due_on"], name="followup_customer_day"),
            models.Index(fields=["run"], name="followup_run"),
        ]
        constraints = [
            # The job's idempotence: never two follow-ups of a kind for the same reason.
            models.UniqueConstraint(
                fields=["customer", "kind", "occasion_key"], name="followup_unique_occasion"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.customer_id} · {self.due_on:%Y-%m-%d}"

    @property
    def reason(self) -> str:
        """Why it exists, in the active language."""
        return followup_reason(kind=self.kind, occasion=self.occasion, facts=self.facts or {})

    @property
    def kind_label(self) -> str:
        return choice_label(FollowupKind, self.kind)

    @property
    def channel_label(self) -> str:
        return choice_label(ContactChannel, self.channel)

    @property
    def cap_note(self) -> str:
        """Why the frequency cap moved it, in the active language; "" if it did not."""
        return cap_note(planned_on=self.planned_on, cap_days=self.cap_days)

    @property
    def is_open(self) -> bool:
        return self.status == FollowupStatus.OPEN

    @property
    def is_visit(self) -> bool:
        return self.kind in VISIT_KINDS

    @property
    def is_capped(self) -> bool:
        return self.kind not in UNCAPPED_KINDS

    @property
    def has_confirmed_appointment(self) -> bool:
        """The same test as CONFIRMED_APPOINTMENT, on one row."""
        return self.kind == FollowupKind.WEEKLY_VISIT or (
            self.appointment_at is not None and self.appointment_confirmed_at is not None
        )


# A visit agreed with the customer (上门拜访须预约): an appointment confirmed by phone, or
# a standing weekly visit (a standing appointment). Followup.has_confirmed_appointment is
# the same test on one row.
CONFIRMED_APPOINTMENT = models.Q(kind=FollowupKind.WEEKLY_VISIT) | models.Q(
    appointment_at__isnull=False, appointment_confirmed_at__isnull=False
)


class FeedbackAlert(models.Model):
    """Feedback whose response deadline passed unanswered, once each: the managers were
    e-mailed about it by the planning run."""

    service_record = models.OneToOneField(
        "customers.ServiceRecord",
        verbose_name=_("feedback"),
        on_delete=models.CASCADE,
        related_name="overdue_alert",
    )
    run = models.ForeignKey(
        PlanningRun, on_delete=models.SET_NULL, null=True, related_name="feedback_alerts"
    )
    alerted_at = models.DateTimeField(_("managers alerted"), auto_now_add=True)

    class Meta:
        verbose_name = _("overdue feedback alert")
        verbose_name_plural = _("overdue feedback alerts")
        ordering = ["-alerted_at"]

    def __str__(self) -> str:
        return str(self.service_record)


class CalendarFeed(models.Model):
    """A user's private calendar URL. Only a SHA-256 of the token is stored; the token is
    shown once, when it is made."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return str(self.user)
