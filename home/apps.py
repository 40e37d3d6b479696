from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HomeConfig(AppConfig):
    """The home page of each role: the top floor, reading the other apps' selectors.
    No app imports it."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "home"
    verbose_name = _("Home")
