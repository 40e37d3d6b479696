from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FollowupsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "followups"
    verbose_name = _("Return visits")

    def ready(self):
        from customers.panels import register_customer_panel
        from customers.signals import customers_reassigned
        from followups.panels import customer_panel_context
        from followups.services.planning import customers_reassigned_receiver

        register_customer_panel(
            key="followups",
            template_name="followups/customer_panel.html",
            context=customer_panel_context,
            column="right",
            order=20,
        )
        customers_reassigned.connect(
            customers_reassigned_receiver, dispatch_uid="followups.follow_customer_owners"
        )
