from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DocumentCheck(models.Model):
    """One run of the document check (`verify_documents`): every stored archive document
    read from disk and compared with the SHA-256 recorded at upload. `problems` lists
    each missing or altered file (document id, archive, tour group, file name, what is
    wrong); custodians are told by e-mail and read the runs in the admin."""

    started_at = models.DateTimeField(_("started"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    checked = models.PositiveIntegerField(_("files checked"), default=0)
    bytes_read = models.PositiveBigIntegerField(_("bytes read"), default=0)
    missing = models.PositiveIntegerField(_("missing files"), default=0)
    altered = models.PositiveIntegerField(_("altered files"), default=0)
    problems = models.JSONField(_("problems"), default=list, blank=True)
    notified_count = models.PositiveIntegerField(_("custodians notified"), default=0)
    # The claim: at most one check runs at a time (two runs at once would read every file
    # twice and mail the custodians twice). Cleared when the run ends, or when a later run
    # finds it older than the task's hard time limit (its worker was killed).
    is_running = models.BooleanField(_("running"), default=True)

    class Meta:
        verbose_name = _("document check")
        verbose_name_plural = _("document checks")
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_running"],
                condition=models.Q(is_running=True),
                name="one_document_check_at_a_time",
            )
        ]

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M}"

    @property
    def ok(self) -> bool:
        return not (self.missing or self.altered)
