from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PermanentQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("Destruction records cannot be changed.")

    def delete(self):
        raise PermissionError("Destruction records cannot be deleted.")


class DestructionRecord(models.Model):
    """What was destroyed, when, on whose approval and why. Kept for good: the model
    refuses to be changed or deleted, and the admin shows it read-only."""

    archive = models.OneToOneField(
        "archives.BusinessArchive",
        verbose_name=_("business archive"),
        on_delete=models.PROTECT,
        related_name="destruction_record",
    )
    group_number = models.CharField(_("group number"), max_length=50)
    trip_type = models.CharField(_("trip type"), max_length=10)
    tour_end = models.DateField(_("tour end"))
    retention_end = models.DateField(_("kept until"))
    destroyed_at = models.DateTimeField(_("destroyed at"), default=timezone.now)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    reason = models.TextField(_("reason"))
    document_count = models.PositiveIntegerField(_("documents destroyed"))
    file_count = models.PositiveIntegerField(_("files deleted"))
    paper_count = models.PositiveIntegerField(_("paper originals to shred"))
    kinds = models.JSONField(
        _("documents by kind"), default=dict, help_text=_("How many of each kind.")
    )
    paper_locations = models.JSONField(
        _("paper originals"), default=list, help_text=_("Where the paper originals were kept.")
    )
    travellers_unlinked = models.PositiveIntegerField(_("traveller bookings unlinked"))

    objects = PermanentQuerySet.as_manager()

    class Meta:
        verbose_name = _("destruction record")
        verbose_name_plural = _("destruction records")
        ordering = ["-destroyed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.group_number} {self.destroyed_at:%Y-%m-%d}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("Destruction records cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Destruction records cannot be deleted.")


class RetentionRun(models.Model):
    """One run of the daily retention job. The unique date is the claim: a second run
    for the same day, or a second worker at the same moment, finds it and does nothing."""

    run_date = models.DateField(_("run for"), unique=True)
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    expired_count = models.PositiveIntegerField(_("newly expired archives"), default=0)
    notified_count = models.PositiveIntegerField(_("custodians notified"), default=0)

    class Meta:
        verbose_name = _("retention run")
        verbose_name_plural = _("retention runs")
        ordering = ["-run_date"]

    def __str__(self) -> str:
        return self.run_date.isoformat()
