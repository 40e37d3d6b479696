from django.urls import include, path, re_path

from api.views import bookings as booking_views
from api.views import customers as customer_views
from api.views import docs, pages
from api.views import followups as followup_views
from api.views import grades as grade_views
from api.views import points as points_views
from api.views import records as record_views

app_name = "api"

# /api/v1/...: each resource module keeps its own urlpatterns; add yours here.
v1 = [
    *customer_views.urlpatterns,
    *booking_views.urlpatterns,
    *record_views.urlpatterns,
    *followup_views.urlpatterns,
    *points_views.urlpatterns,
    *grade_views.urlpatterns,
]

urlpatterns = [
    path("v1/", include(v1)),
    re_path(r"^v1/", docs.not_found),  # any other /api/v1/ address: a problem, not HTML
    path("schema/", docs.SchemaView.as_view(), name="schema"),
    path("docs/", docs.docs, name="docs"),
    path("problems/", docs.problem_types, name="problems"),
    path("problems/<slug:slug>", docs.problem_types, name="problem"),
    *pages.urlpatterns,
]
