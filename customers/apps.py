from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "customers"
    verbose_name = _("Customer archive")

    def ready(self):
        from customers import checks, lookups  # noqa: F401 (checks register on import)

        lookups.register()  # ids past 64 bits in `__in` match nothing (no OverflowError)
        from customers import sign_in

        sign_in.connect()  # audit rows for signing in and out (every login door)
