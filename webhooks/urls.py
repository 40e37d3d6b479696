from django.urls import path

from webhooks import views

app_name = "webhooks"

urlpatterns = [
    path("", views.endpoints, name="endpoints"),
    path("new/", views.endpoint_new, name="endpoint_new"),
    path("<int:pk>/", views.endpoint_detail, name="endpoint"),
    path("<int:pk>/edit/", views.endpoint_edit, name="endpoint_edit"),
    path("<int:pk>/toggle/", views.endpoint_toggle, name="endpoint_toggle"),
    path("<int:pk>/secret/", views.endpoint_secret, name="endpoint_secret"),
    path("<int:pk>/test/", views.endpoint_test, name="endpoint_test"),
    path("deliveries/", views.deliveries, name="deliveries"),
    path("deliveries/<uuid:pk>/", views.delivery_detail, name="delivery"),
    path("deliveries/<uuid:pk>/retry/", views.delivery_retry, name="delivery_retry"),
]
