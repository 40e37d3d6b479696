from django.urls import path

from followups import views, views_day, views_warnings

app_name = "followups"

urlpatterns = [
    path("", views_day.my_day_view, name="my_day"),
    path("greetings/", views_day.greetings_bulk_view, name="greetings_bulk"),
    path("<int:pk>/", views.followup_detail, name="detail"),
    path("<int:pk>/complete/", views.followup_complete_view, name="complete"),
    path("<int:pk>/reschedule/", views.followup_reschedule_view, name="reschedule"),
    path("<int:pk>/skip/", views.followup_skip_view, name="skip"),
    path("<int:pk>/snooze/", views_day.followup_snooze_view, name="snooze"),
    path("<int:pk>/appointment/", views.followup_appointment_view, name="appointment"),
    path("customers/<int:customer_pk>/key-record/", views.key_record_new, name="key_record_new"),
    path("key-records/<int:pk>/", views.key_record_detail, name="key_record"),
    path("warnings/<int:pk>/handle/", views_warnings.warning_handle_view, name="warning_handle"),
    path("calendar/", views.calendar_settings, name="calendar"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
    path("feedback/", views.feedback_list, name="feedback"),
    path("customers/<int:customer_pk>/feedback/", views.feedback_new, name="feedback_new"),
    path("feedback/<int:pk>/", views.feedback_detail, name="feedback_detail"),
    path("feedback/<int:pk>/<slug:action>/", views.feedback_action, name="feedback_action"),
    path("events/", views.event_list, name="events"),
    path("events/<int:pk>/", views.event_detail, name="event_detail"),
    path("invitations/<int:pk>/", views.invitation_update, name="invitation_update"),
    path("mailings/", views.mailing_list, name="mailings"),
    path("mailings/<int:pk>/", views.mailing_detail, name="mailing_detail"),
    path("mailings/<int:pk>/mailing-list.csv", views.mailing_csv, name="mailing_csv"),
    path("mailings/<int:pk>/labels/", views.mailing_labels, name="mailing_labels"),
]
