from django.urls import path

from home import views

urlpatterns = [
    path("", views.home, name="home"),
    path("home/receivables.<str:fmt>", views.receivables_export, name="home_receivables_export"),
]
