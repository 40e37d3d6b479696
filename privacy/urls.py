from django.urls import path

from privacy import views_anonymisation
from privacy.views import consent, record, requests

app_name = "privacy"

urlpatterns = [
    path("customers/<int:customer_pk>/consent/", consent.customer_consent, name="customer_consent"),
    path(
        "customers/<int:customer_pk>/requests/new/",
        requests.request_new,
        name="request_new",
    ),
    path("requests/", requests.request_list, name="requests"),
    path("requests/<int:pk>/", requests.request_detail, name="request_detail"),
    path("requests/<int:pk>/close/", requests.request_close, name="request_close"),
    path("requests/<int:pk>/copy/", requests.copy_generate, name="copy_generate"),
    path(
        "requests/<int:pk>/copy/<int:copy_pk>/download/",
        requests.copy_download,
        name="copy_download",
    ),
    path("record/", record.processing_record, name="record"),
    path(
        "requests/<int:pk>/anonymise/",
        views_anonymisation.request_anonymise_page,
        name="request_anonymise_page",
    ),
    path(
        "requests/<int:pk>/anonymise/confirm/",
        views_anonymisation.request_anonymise,
        name="request_anonymise",
    ),
    path("dormant/", views_anonymisation.dormant_queue, name="dormant_queue"),
]
