"""Spreadsheet imports: one job per uploaded file, and saved column mappings.

The uploaded file is kept in the private storage (settings.PRIVATE_MEDIA_ROOT/imports,
under a server-generated name, no URL) as the record of what came in; the job holds what
was found in it, how its columns map to fields, and the report of the last check or
commit (problems in every language, so each reader reads them in theirs)."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from archives.uploads import get_private_storage


class ImportKind(models.TextChoices):
    # What a file holds (the catalogue's "Bookings" alone is a count: 订单数).
    CUSTOMERS = "customers", pgettext_lazy("import kind", "Customers")
    CONTACTS = "contacts", _("Contact people of organisations")
    BOOKINGS = "bookings", pgettext_lazy("import kind", "Bookings")
    RECORDS = "records", _("Contact records")


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", _("Uploaded")
    CHECKING = "checking", _("Checking")
    CHECKED = "checked", _("Checked")
    COMMITTING = "committing", _("Importing")
    COMMITTED = "committed", _("Imported")
    FAILED = "failed", _("Failed")


def import_upload_to(instance, filename: str) -> str:
    """A server-generated name: the uploader's file name is kept only in the database."""
    name = uuid.uuid4().hex
    return f"imports/{name[:2]}/{name}"


class ImportJob(models.Model):
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        on_delete=models.PROTECT,
        related_name="import_jobs",
    )
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    kind = models.CharField(_("what"), max_length=20, choices=ImportKind.choices)
    original_name = models.CharField(_("file name"), max_length=255)
    file = models.FileField(
        _("file"), max_length=200, storage=get_private_storage, upload_to=import_upload_to
    )
    sha256 = models.CharField(max_length=64, editable=False)
    size = models.PositiveBigIntegerField(_("size"), default=0)
    sheets = models.JSONField(_("sheets"), default=list, blank=True)
    sheet = models.CharField(_("sheet"), max_length=100, blank=True)
    encoding = models.CharField(_("encoding"), max_length=40, blank=True)
    header_row = models.PositiveIntegerField(_("header row"), default=1)
    headers = models.JSONField(_("columns"), default=list, blank=True)
    mapping = models.JSONField(_("mapping"), default=dict, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner of new customers"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ImportStatus.choices, default=ImportStatus.UPLOADED
    )
    valid_only = models.BooleanField(_("valid rows only"), default=False)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    report = models.JSONField(_("report"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["created_by", "created_at"])]

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_running(self) -> bool:
        return self.status in (ImportStatus.CHECKING, ImportStatus.COMMITTING)

    @property
    def progress_percent(self) -> int:
        if not self.progress_total:
            return 100 if self.status in (ImportStatus.CHECKED, ImportStatus.COMMITTED) else 0
        return min(100, self.progress_done * 100 // self.progress_total)


class ImportMapping(models.Model):
    """A saved mapping template: the column headers of an agency's spreadsheet and the
    field each one fills, reused for the next file of the same layout."""

    kind = models.CharField(_("what"), max_length=20, choices=ImportKind.choices)
    name = models.CharField(_("name"), max_length=100)
    mapping = models.JSONField(_("mapping"), default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("import mapping")
        verbose_name_plural = _("import mappings")
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "name"], name="importmapping_unique_name")
        ]

    def __str__(self) -> str:
        return self.name
