from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    """Running the site: backups and restores of the database with the private document
    store (no models; commands only)."""

    name = "ops"
    verbose_name = _("Operations")
