from django.urls import path

from twofactor import views

app_name = "twofactor"

urlpatterns = [
    path("", views.two_factor_settings, name="settings"),
    path("set-up/", views.two_factor_setup, name="setup"),
    path("code/", views.two_factor_verify, name="verify"),
    path("recovery-codes/", views.recovery_codes, name="codes"),
    path("recovery-codes/new/", views.recovery_codes_new, name="codes_new"),
    path("turn-off/", views.two_factor_off, name="off"),
    path("staff/", views.staff_two_factor, name="staff"),
    path("staff/<int:pk>/reset/", views.staff_two_factor_reset, name="reset"),
]
