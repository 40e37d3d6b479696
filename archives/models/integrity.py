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

    class Meta:
        verbose_name = _("document check")
        verbose_name_plural = _("document checks")
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M}"

    @property
    def ok(self) -> bool:
        return not (self.missing or self.altered)
