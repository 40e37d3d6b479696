from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "privacy"
    verbose_name = _("Personal information")

    def ready(self):
        from customers.jobs import register_periodic_job
        from customers.panels import register_customer_panel
        from privacy.jobs import JOBS

        for job in JOBS:
            register_periodic_job(job)
        from privacy.panels import customer_panel_context

        register_customer_panel(
            key="privacy",
            template_name="privacy/customer_panel.html",
            context=customer_panel_context,
            column="right",
            order=40,
        )
