from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from archives.models.choices import ArchiveStatus, DocumentKind
from archives.uploads import document_upload_to, get_private_storage


class BusinessArchive(models.Model):
    """The business archive 业务档案 of one tour group: its documents, how long they must
    be kept, and where the archive stands (open, archived 已归档, destroyed 已销毁).

    `retention_end` is the last day the documents must be kept. It is computed from the
    tour's end and the policy in force when the archive was opened (`retention_years`),
    and stored, so a later policy change never rewrites an existing archive."""

    tour = models.OneToOneField(
        "archives.TourGroup",
        verbose_name=_("tour group"),
        on_delete=models.PROTECT,
        related_name="archive",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ArchiveStatus.choices, default=ArchiveStatus.OPEN
    )
    retention_years = models.PositiveSmallIntegerField(_("retention (years after the tour)"))
    retention_end = models.DateField(_("keep until"))
    expired_on = models.DateField(
        _("retention expired on"),
        null=True,
        blank=True,
        help_text=_("Set by the daily retention job when the retention period has ended."),
    )
    legal_hold = models.BooleanField(_("legal hold"), default=False)
    legal_hold_reason = models.TextField(_("legal hold reason"), blank=True)
    legal_hold_set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("legal hold set by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    legal_hold_set_at = models.DateTimeField(_("legal hold set at"), null=True, blank=True)
    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True)
    archived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("archived by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    destroyed_at = models.DateTimeField(_("destroyed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("opened"), auto_now_add=True)

    class Meta:
        verbose_name = _("business archive")
        verbose_name_plural = _("business archives")
        ordering = ["-tour__start_date", "-id"]
        permissions = [
            ("close_businessarchive", _("Can mark a business archive archived")),
            ("hold_businessarchive", _("Can set and clear legal holds")),
            ("destroy_businessarchive", _("Can destroy business archives past retention")),
        ]
        indexes = [
            models.Index(fields=["retention_end"]),
            # The daily job's UPDATE reads only the archives it may still have to mark.
            models.Index(
                fields=["retention_end"],
                condition=Q(expired_on__isnull=True, legal_hold=False),
                name="archive_expiry_due",
            ),
            models.Index(fields=["status"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(legal_hold=False) | ~Q(legal_hold_reason=""),
                name="archive_legal_hold_has_reason",
                violation_error_message=_("A legal hold needs a reason."),
            ),
            models.CheckConstraint(
                condition=~Q(status=ArchiveStatus.DESTROYED)
                | Q(destroyed_at__isnull=False, legal_hold=False),
                name="archive_destroyed_has_date_and_no_hold",
                violation_error_message=_("A destroyed archive has a date and no legal hold."),
            ),
            models.CheckConstraint(
                condition=~Q(status=ArchiveStatus.ARCHIVED) | Q(archived_at__isnull=False),
                name="archive_archived_has_date",
                violation_error_message=_("An archived archive has the date it was archived."),
            ),
        ]

    def __str__(self) -> str:
        return _("Archive of %(group)s") % {"group": self.tour.group_number}

    def get_absolute_url(self) -> str:
        return reverse("archives:detail", args=[self.pk])

    @property
    def is_destroyed(self) -> bool:
        return self.status == ArchiveStatus.DESTROYED


class ArchiveDocument(models.Model):
    """One document of a business archive: an uploaded file or a paper original kept in a
    known place, never both."""

    archive = models.ForeignKey(
        BusinessArchive,
        verbose_name=_("business archive"),
        on_delete=models.PROTECT,
        related_name="documents",
    )
    kind = models.CharField(_("document"), max_length=40, choices=DocumentKind.choices)
    file = models.FileField(
        _("file"),
        storage=get_private_storage,
        upload_to=document_upload_to,
        max_length=200,
        blank=True,
    )
    paper_location = models.CharField(
        _("paper original kept at"),
        max_length=200,
        blank=True,
        help_text=_("Cabinet, shelf and folder of the paper original."),
    )
    reference = models.CharField(
        _("number / reference"),
        max_length=100,
        blank=True,
        help_text=_("For example the contract number."),
    )
    notes = models.TextField(_("notes"), blank=True)
    original_filename = models.CharField(_("original file name"), max_length=255, blank=True)
    size = models.PositiveBigIntegerField(_("size (bytes)"), null=True, blank=True)
    content_type = models.CharField(_("detected content type"), max_length=100, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("added by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        verbose_name = _("archive document")
        verbose_name_plural = _("archive documents")
        ordering = ["archive", "kind", "uploaded_at", "id"]
        indexes = [models.Index(fields=["archive", "kind"])]
        constraints = [
            models.CheckConstraint(
                condition=(Q(file="") & ~Q(paper_location=""))
                | (~Q(file="") & Q(paper_location="")),
                name="archivedocument_file_xor_paper",
                violation_error_message=_(
                    "Upload a file or say where the paper original is kept, not both."
                ),
            ),
        ]

    def __str__(self) -> str:
        where = self.original_filename or self.paper_location
        return f"{self.get_kind_display()}: {where}"

    @property
    def is_paper(self) -> bool:
        return not self.file
