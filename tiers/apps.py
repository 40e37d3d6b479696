from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TiersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "tiers"
    verbose_name = _("Tiering")

    def ready(self):
        from customers.panels import register_customer_panel
        from tiers.selectors import tier_panel_context

        register_customer_panel(
            key="tiers",
            template_name="tiers/customer_panel.html",
            context=tier_panel_context,
            column="left",
            order=10,
        )
