"""The schema and its documentation page: served from our own static files (no CDN),
under the site's Content-Security-Policy unchanged."""

import re

import pytest
import yaml
from django.conf import settings
from django.contrib.staticfiles import finders

pytestmark = pytest.mark.django_db


def test_the_docs_page_loads_swagger_ui_from_our_static_files(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    sources = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', response.text)
    assert sources, "no scripts or styles found"
    static = "/" + settings.STATIC_URL.lstrip("/")
    assert all(src.startswith(static) for src in sources), sources
    assert any("drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in s for s in sources)
    # No inline script or style: the CSP (script-src/style-src 'self') stays as it is.
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", response.text)
    assert "<style" not in response.text and " style=" not in response.text
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    for src in sources:  # each one is a file of ours (the sidecar's or the api app's)
        assert finders.find(src.removeprefix(static)), src


def test_the_schema_is_openapi_3_with_the_bearer_scheme_and_problem_responses(client):
    response = client.get("/api/schema/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    assert schema["openapi"].startswith("3.")
    assert schema["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    operation = schema["paths"]["/api/v1/customers"]["get"]
    assert {"q", "kind", "status", "owner", "cursor"} <= {
        p["name"] for p in operation["parameters"]
    }
    problem = operation["responses"]["403"]["content"]["application/problem+json"]
    assert problem["schema"]["$ref"] == "#/components/schemas/Problem"
    assert "Retry-After" in operation["responses"]["429"]["headers"]


def test_the_error_types_page_lists_every_problem_type(client):
    from api.problems import PROBLEM_TYPES

    text = client.get("/api/problems/").text
    assert all(f"/api/problems/{slug}" in text for slug in PROBLEM_TYPES)
