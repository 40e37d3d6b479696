from django.urls import path

from privacy import views

app_name = "privacy"

urlpatterns = [
    path("customers/<int:customer_pk>/consent/", views.customer_consent, name="customer_consent"),
]
