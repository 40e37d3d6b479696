from django.urls import path

from customers.views import archive as views
from customers.views import bulk, custody, jobs, record, sign_in, staff
from customers.views import outbox as outbox_views

app_name = "customers"

urlpatterns = [
    path("", views.customer_list, name="list"),
    path("export.csv", views.customer_export, name="export"),
    path("new/", views.customer_create_view, name="create"),
    path("bulk/", bulk.customer_bulk, name="bulk"),
    path("<int:pk>/", views.customer_detail, name="detail"),
    path("<int:pk>/print/", record.customer_print, name="print"),
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

urlpatterns += [
    path("<int:pk>/id-number/", custody.id_number_reveal, name="reveal_id"),
    path("access/", custody.access_requests, name="access_requests"),
    path("access/new/", custody.access_request_new, name="access_request_new"),
    path("access/<int:pk>/decide/", custody.access_request_decide_view, name="access_decide"),
    path("alerts/", custody.security_alerts, name="alerts"),
    path(
        "alerts/<int:pk>/acknowledge/",
        custody.security_alert_acknowledge_view,
        name="alert_acknowledge",
    ),
    path("jobs/", jobs.job_runs, name="job_runs"),
    path(
        "jobs/alerts/<int:pk>/acknowledge/",
        jobs.job_alert_acknowledge_view,
        name="job_alert_acknowledge",
    ),
    path("staff/", custody.staff_list, name="staff"),
    path("staff/new/", staff.staff_new, name="staff_new"),
    path("staff/<int:user_pk>/edit/", staff.staff_edit, name="staff_edit"),
    path(
        "staff/<int:user_pk>/password-link/",
        staff.staff_password_link,
        name="staff_password_link",
    ),
    path("staff/<int:user_pk>/depart/", custody.staff_depart, name="staff_depart"),
    path("staff/<int:user_pk>/departure/", custody.staff_departure, name="staff_departure"),
]

urlpatterns += [
    path("staff/lockouts/", sign_in.lockouts, name="lockouts"),
    path("staff/lockouts/unlock/", sign_in.lockout_unlock, name="lockout_unlock"),
    path(
        "staff/<int:user_pk>/require-password-change/",
        sign_in.staff_require_password_change,
        name="staff_require_password_change",
    ),
]

# Outgoing mail: the managers' view of the outbox.
urlpatterns += [
    path("outbox/", outbox_views.outbox, name="outbox"),
    path("outbox/retry-failed/", outbox_views.outbox_retry_failed, name="outbox_retry_failed"),
    path("outbox/<int:pk>/", outbox_views.outbox_message, name="outbox_message"),
    path("outbox/<int:pk>/retry/", outbox_views.outbox_retry, name="outbox_retry"),
]
