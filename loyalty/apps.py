from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LoyaltyConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "loyalty"
    verbose_name = _("Loyalty")

    def ready(self):
        from customers.panels import register_customer_panel
        from customers.signals import booking_saved, bookings_saved_many
        from loyalty.selectors import card_panel_context
        from loyalty.services import on_booking_saved, on_bookings_saved_many

        booking_saved.connect(on_booking_saved, dispatch_uid="loyalty.earn_on_booking_saved")
        bookings_saved_many.connect(
            on_bookings_saved_many, dispatch_uid="loyalty.earn_on_bookings_saved_many"
        )
        register_customer_panel(
            key="loyalty",
            template_name="loyalty/customer_panel.html",
            context=card_panel_context,
            column="left",
            order=30,
        )

        # Catch-up, deadlines and the job-runs page (customers/jobs.py).
        from customers.jobs import register_periodic_job
        from loyalty.jobs import JOBS

        for job in JOBS:
            register_periodic_job(job)
