"""The schema and its documentation page. The page is our own template: Swagger UI's
files from drf-spectacular-sidecar (our static files, no CDN), started by our own
static script, with no inline script or style, so the site's CSP holds unchanged."""

from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.views import SpectacularAPIView

from api.problems import PROBLEM_BASE, PROBLEM_CONTENT_TYPE, PROBLEM_TYPES


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


@csrf_exempt  # answers every method the same; nothing to forge
def not_found(request, rest=""):
    """Any other address under /api/v1/: a problem, like every API answer (not the
    pages' HTML 404)."""
    status, title = PROBLEM_TYPES["not-found"]
    return JsonResponse(
        {
            "type": PROBLEM_BASE + "not-found",
            "title": str(title),
            "status": status,
            "detail": _("There is no such address in the API; see /api/docs/."),
        },
        status=status,
        content_type=PROBLEM_CONTENT_TYPE,
        json_dumps_params={"ensure_ascii": False},
    )
