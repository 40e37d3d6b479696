from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TwoFactorConfig(AppConfig):
    name = "twofactor"
    label = "twofactor"
    verbose_name = _("Two-factor sign-in")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from twofactor.gate import on_sign_in

        user_logged_in.connect(on_sign_in, dispatch_uid="twofactor_on_sign_in")
