from django.urls import path

from privacy import views, views_anonymisation

app_name = "privacy"

urlpatterns = [
    path("customers/<int:customer_pk>/consent/", views.customer_consent, name="customer_consent"),
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
