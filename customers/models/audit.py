from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    VIEW = "view", _("Viewed")
    CREATE = "create", _("Created")
    CHANGE = "change", _("Changed")
    EXPORT = "export", _("Exported")
    DOWNLOAD = "download", _("Downloaded")
    REVEAL_ID = "reveal_id", _("Revealed full ID number")
    DELETE = "delete", _("Deleted")
    RESTORE = "restore", _("Restored")
    GRANT_ACCESS = "grant_access", _("Granted special access")
    REFUSE_ACCESS = "refuse_access", _("Refused special access")
    HANDOVER = "handover", _("Handed over")
    # Two-factor sign-in (twofactor app): the person's own steps and a manager's reset.
    TWO_FACTOR_ENROL = "2fa_enrol", _("Set up two-factor sign-in")
    TWO_FACTOR_PASS = "2fa_pass", _("Passed the two-factor check")
    TWO_FACTOR_FAIL = "2fa_fail", _("Failed the two-factor check")
    TWO_FACTOR_CODES = "2fa_codes", _("Made new recovery codes")
    TWO_FACTOR_DISABLE = "2fa_disable", _("Turned off two-factor sign-in")
    TWO_FACTOR_RESET = "2fa_reset", _("Reset someone's two-factor sign-in")
    # Signing in (customers.sign_in): every door, the product login and the admin login.
    LOGIN = "login", _("Signed in")
    LOGIN_FAILED = "login_failed", _("Failed to sign in")
    LOGOUT = "logout", _("Signed out")
    LOGIN_UNLOCK = "login_unlock", _("Unlocked a locked sign-in")
    PASSWORD_CHANGE = "password_change", _("Changed their password")
    PASSWORD_REQUIRE = "password_require", _("Required a password change")
    # Spreadsheet imports (imports app): each check and each commit of a file.
    IMPORT_CHECK = "import_check", _("Checked a spreadsheet import")
    IMPORT = "import", _("Imported a spreadsheet")


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("Audit entries cannot be changed.")

    def delete(self):
        raise PermissionError("Audit entries cannot be deleted.")


class AuditEntry(models.Model):
    """One thing one person did to the archive: who, when (stored in UTC), what, which
    action, from where. Append-only: the application offers no way to change or delete
    an entry, and entries are kept for good (the policy minimum is three years)."""

    at = models.DateTimeField(_("when"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_entries",
        db_index=False,  # the (actor, at) index below serves every lookup by actor
    )
    action = models.CharField(_("action"), max_length=20, choices=AuditAction.choices)
    object_type = models.CharField(_("object type"), max_length=50)
    object_id = models.CharField(_("object id"), max_length=40, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_entries",
        db_index=False,  # the (customer, at) index below serves every lookup by customer
    )
    ip_address = models.GenericIPAddressField(_("from address"), null=True, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        ordering = ["-at", "-id"]
        permissions = [("view_audit_log", _("Can search the audit log"))]
        indexes = [
            models.Index(fields=["actor", "at"]),
            models.Index(fields=["customer", "at"]),
            models.Index(fields=["action", "at"]),
            models.Index(fields=["at"]),
            # The admin's object-type filter: its choices by a skip scan of this index
            # (customers/admin_audit_log.py), its entries newest first.
            models.Index(fields=["object_type", "at"], name="audit_object_type_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.action} {self.object_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("Audit entries cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Audit entries cannot be deleted.")
