from django.urls import path

from archives import views

app_name = "archives"

urlpatterns = [
    path("", views.archive_list, name="list"),
    path("tours/new/", views.tour_group_new, name="tour_create"),
    path("<int:pk>/", views.archive_detail, name="detail"),
    path("<int:pk>/documents/new/", views.document_add, name="document_add"),
    path("<int:pk>/archive/", views.archive_close, name="close"),
    path(
        "<int:pk>/keep-until/<int:change_pk>/decide/",
        views.retention_change_decision,
        name="retention_decide",
    ),
    path("documents/<int:pk>/download/", views.document_download, name="download"),
]
