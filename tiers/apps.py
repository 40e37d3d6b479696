from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TiersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "tiers"
    verbose_name = _("Tiering")

    def ready(self):
        from customers.signals import outbound_message_settled
        from tiers.services import grade_email_settled_receiver

        # A grade e-mail's notification follows its outbox message (sent, or failed).
        outbound_message_settled.connect(
            grade_email_settled_receiver, dispatch_uid="tiers.grade_email_settled"
        )

        from customers.dormancy import register_dormant_days
        from customers.panels import register_customer_panel
        from tiers.selectors import policy_dormant_days, tier_panel_context

        # Semi-dormant: the customer list's filter counts the days of the policy in force.
        register_dormant_days(policy_dormant_days)

        register_customer_panel(
            key="tiers",
            template_name="tiers/customer_panel.html",
            context=tier_panel_context,
            column="left",
            order=10,
        )

        # Catch-up, deadlines and the job-runs page (customers/jobs.py).
        from customers.jobs import register_periodic_job
        from tiers.jobs import JOBS

        for job in JOBS:
            register_periodic_job(job)
