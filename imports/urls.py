from django.urls import path

from imports import views

app_name = "imports"

urlpatterns = [
    path("", views.job_list, name="list"),
    path("new/", views.upload, name="upload"),
    path("templates/<str:kind>.xlsx", views.template, name="template"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/map/", views.map_columns, name="map"),
    path("<int:pk>/status/", views.status, name="status"),
    path("<int:pk>/commit/", views.commit, name="commit"),
    path("<int:pk>/refused.xlsx", views.refused_rows, name="refused_rows"),
]
