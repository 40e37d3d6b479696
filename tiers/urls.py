from django.urls import path

from tiers import views

app_name = "tiers"

urlpatterns = [
    path("", views.report, name="report"),
    path("export/<slug:name>.<slug:fmt>", views.report_export, name="export"),
    path("review/", views.review_list, name="review_list"),
    path("review/<int:pk>/", views.review_detail, name="review_detail"),
    path("customers/<int:pk>/grade/", views.customer_grade, name="customer_grade"),
    path("tasks/<int:pk>/done/", views.task_done, name="task_done"),
]
