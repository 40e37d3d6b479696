"""The schema and its documentation page. The page is our own template: Swagger UI's
files from drf-spectacular-sidecar (our static files, no CDN), started by our own
static script, with no inline script or style, so the site's CSP holds unchanged."""

from django.shortcuts import render
from django.urls import reverse
from drf_spectacular.views import SpectacularAPIView

from api.problems import PROBLEM_TYPES


class SchemaView(SpectacularAPIView):
    """OpenAPI 3 (YAML by default; ?format=json or Accept: application/json for JSON)."""


def docs(request):
    return render(request, "api/docs.html", {"schema_url": reverse("api:schema")})


def problem_types(request, slug=None):
    """What each problem `type` means (the URIs in problem details point here)."""
    return render(
        request,
        "api/problem_types.html",
        {"types": [(s, status, title) for s, (status, title) in PROBLEM_TYPES.items()]},
    )
