"""The copy of everything held about a person (PIPL Art. 45), made in the background for
a copy request. One ZIP (a JSON file for machines, an HTML document for people) in the
private storage, downloaded once: the download removes the file, so no second copy of
the person's information lingers on the server."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from archives.uploads import get_private_storage


class CopyStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to be made")
    RUNNING = "running", _("Being made")
    READY = "ready", _("Ready to download")
    DOWNLOADED = "downloaded", pgettext_lazy("copy status", "Downloaded")
    FAILED = "failed", _("Failed")


def copy_upload_to(instance, filename: str) -> str:
    name = uuid.uuid4().hex
    return f"privacy-copies/{name[:2]}/{name}.zip"


class RightsCopy(models.Model):
    request = models.ForeignKey(
        "privacy.RightsRequest",
        verbose_name=_("request"),
        on_delete=models.PROTECT,
        related_name="copies",
    )
    status = models.CharField(
        _("status"), max_length=12, choices=CopyStatus.choices, default=CopyStatus.QUEUED
    )
    language = models.CharField(_("language"), max_length=10, default="zh-hans")
    file = models.FileField(
        _("file"), max_length=200, storage=get_private_storage, upload_to=copy_upload_to, blank=True
    )
    sha256 = models.CharField(max_length=64, blank=True, editable=False)
    size = models.PositiveBigIntegerField(_("size"), default=0)
    sections = models.JSONField(_("what it holds"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("asked for by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("asked for"), auto_now_add=True)
    generated_at = models.DateTimeField(_("made"), null=True, blank=True)
    downloaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("downloaded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    downloaded_at = models.DateTimeField(_("downloaded"), null=True, blank=True)

    class Meta:
        verbose_name = _("copy of a person's information")
        verbose_name_plural = _("copies of a person's information")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="downloaded") | models.Q(downloaded_at__isnull=False),
                name="rights_copy_downloaded_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.request} · {self.get_status_display()}"

    @property
    def in_progress(self) -> bool:
        return self.status in (CopyStatus.QUEUED, CopyStatus.RUNNING)
