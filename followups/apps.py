from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FollowupsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "followups"
    verbose_name = _("Return visits")

    def ready(self):
        from customers.contact_rules import register_contact_rule
        from customers.panels import register_customer_panel
        from customers.signals import contacts_logged, customers_reassigned
        from followups.panels import customer_panel_context
        from followups.services.cap import contacts_logged_receiver
        from followups.services.planning import customers_reassigned_receiver
        from followups.services.work import visit_has_appointment

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
        # Withdrawn marketing consent (privacy) skips what was planned under it, at once.
        from followups.services.consent import consent_withdrawn_receiver
        from privacy.services import consent_withdrawn

        consent_withdrawn.connect(
            consent_withdrawn_receiver, dispatch_uid="followups.consent_withdrawn"
        )
        # A contact made counts for the frequency cap at once (not at the next run).
        contacts_logged.connect(contacts_logged_receiver, dispatch_uid="followups.cap_contacts")
        # 上门拜访须预约: every door that logs a contact checks the visit was agreed.
        register_contact_rule(key="followups.visit_appointment", check=visit_has_appointment)

        # Catch-up, deadlines and the job-runs page (customers/jobs.py).
        from customers.jobs import register_periodic_job
        from followups.jobs import JOBS

        for job in JOBS:
            register_periodic_job(job)
