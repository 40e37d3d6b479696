"""What the periodic jobs did, and the periods they missed (customers/jobs.py).

Each job's own claim row (tiers' StatisticsRun, followups' PlanningRun, …) says a period
is done; it is written in the job's transaction, so a failed or killed run leaves none and
cannot say why. These rows are written outside that transaction and say it."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class JobOutcome(models.TextChoices):
    RUNNING = "running", _("Running, or stopped without a word")
    DONE = "done", _("Done")
    ALREADY_DONE = "already_done", _("Already done by another run")
    FAILED = "failed", _("Failed")


class JobAttempt(models.Model):
    """One attempt at one period of a periodic job. A worker killed mid-job leaves its
    attempt "running" (no end): the redelivered run adds its own."""

    job = models.CharField(_("job"), max_length=60)
    period = models.DateField(_("period"), help_text=_("The date the period is scheduled on."))
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=20, choices=JobOutcome.choices, default=JobOutcome.RUNNING
    )
    rows = models.PositiveIntegerField(_("rows"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("job attempt")
        verbose_name_plural = _("job attempts")
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["job", "-started_at"])]

    def __str__(self) -> str:
        return f"{self.job} {self.period.isoformat()}"


class JobAlert(models.Model):
    """A period a job had not done by its deadline: one per job and period, however
    often the check runs; managers are e-mailed when it is raised."""

    job = models.CharField(_("job"), max_length=60)
    period = models.DateField(_("period"))
    deadline = models.DateTimeField(_("deadline"))
    raised_at = models.DateTimeField(_("raised"), default=timezone.now)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("acknowledged by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)

    class Meta:
        verbose_name = _("job alert")
        verbose_name_plural = _("job alerts")
        ordering = ["-raised_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["job", "period"], name="job_alert_once_per_period")
        ]

    def __str__(self) -> str:
        return f"{self.job} {self.period.isoformat()}"
