from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from config.health import healthz, healthz_broker

admin.site.site_header = _("Travel CRM administration")
admin.site.site_title = _("Travel CRM")
admin.site.index_title = _("Archive custody")

urlpatterns = [
    path("", include("home.urls")),
    path("healthz/", healthz, name="healthz"),
    path("healthz/broker/", healthz_broker, name="healthz_broker"),
    path("accounts/", include("accounts.urls")),
    path("accounts/two-factor/", include("twofactor.urls")),
    path("customers/", include("customers.urls")),
    path("archives/", include("archives.urls")),
    path("tiers/", include("tiers.urls")),
    path("followups/", include("followups.urls")),
    path("privacy/", include("privacy.urls")),
    path("loyalty/", include("loyalty.urls")),
    path("imports/", include("imports.urls")),
    path("api/", include("api.urls")),
    path("integrations/webhooks/", include("webhooks.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
