from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TiersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "tiers"
    verbose_name = _("Tiering")
