from django.urls import path

from customers import views

app_name = "customers"

urlpatterns = [
    path("", views.customer_list, name="list"),
    path("export.csv", views.customer_export, name="export"),
    path("new/", views.customer_create_view, name="create"),
    path("<int:pk>/", views.customer_detail, name="detail"),
    path("<int:pk>/edit/", views.customer_edit, name="edit"),
    path("<int:pk>/delete/", views.customer_delete, name="delete"),
    path("<int:pk>/history/", views.customer_history_view, name="history"),
    path("<int:pk>/contacts/log/", views.contact_log, name="contact_log"),
    path("<int:pk>/bookings/new/", views.booking_form, name="booking_add"),
    path("<int:pk>/bookings/<int:booking_pk>/edit/", views.booking_form, name="booking_edit"),
    path("<int:pk>/service/new/", views.service_record_add, name="service_add"),
    path("<int:pk>/people/new/", views.contact_person_add_view, name="person_add"),
    path(
        "<int:pk>/people/<int:person_pk>/replace/",
        views.contact_person_replace_view,
        name="person_replace",
    ),
]
