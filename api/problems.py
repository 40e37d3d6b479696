"""Errors as RFC 9457 problem details (application/problem+json): type, title, status,
detail, and the field errors of a refused input, in the caller's language
(Accept-Language, api.middleware). Every exception a view lets out comes through here:
DRF's, Django's (404, PermissionDenied, ValidationError from the services) and the
custody guard's refusal."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from customers.services import MassActionRefused

PROBLEM_CONTENT_TYPE = "application/problem+json"
PROBLEM_BASE = "/api/problems/"

# slug -> (status, title): the problem types this API answers with (the docs list them).
PROBLEM_TYPES = {
    "validation-error": (400, _("Your request has invalid fields.")),
    "bad-request": (400, _("Bad request.")),
    "not-authenticated": (401, _("A valid token is needed.")),
    "insufficient-scope": (403, _("The token lacks a scope.")),
    "forbidden": (403, _("Not allowed.")),
    "export-limit": (403, _("Export limit reached.")),
    "not-found": (404, _("Not found.")),
    "method-not-allowed": (405, _("Method not allowed.")),
    "not-acceptable": (406, _("Not acceptable.")),
    "conflict": (409, _("Conflict.")),
    "unsupported-media-type": (415, _("Unsupported media type.")),
    "rate-limited": (429, _("Too many requests.")),
    "server-error": (500, _("Server error.")),
}


class FieldErrorSerializer(serializers.Serializer):
    field = serializers.CharField(help_text="The field, dotted for nested input (items.3.number)")
    detail = serializers.CharField()
    code = serializers.CharField(required=False)


class ProblemSerializer(serializers.Serializer):
    """RFC 9457 problem details."""

    type = serializers.CharField()
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    instance = serializers.CharField(required=False)
    errors = FieldErrorSerializer(many=True, required=False)


def _flatten(detail, path: str = "") -> list[dict]:
    """DRF's nested error structure as a flat list of {field, detail, code}."""
    if isinstance(detail, dict):
        out = []
        for key, value in detail.items():
            name = "" if key in ("non_field_errors", "__all__") else str(key)
            out += _flatten(value, f"{path}.{name}" if path and name else (name or path))
        return out
    if isinstance(detail, list):
        if all(not isinstance(item, dict | list) for item in detail):
            return [
                {"field": path, "detail": str(item), "code": getattr(item, "code", "invalid")}
                for item in detail
            ]
        out = []
        for index, item in enumerate(detail):
            if item:
                out += _flatten(item, f"{path}.{index}" if path else str(index))
        return out
    return [{"field": path, "detail": str(detail), "code": getattr(detail, "code", "invalid")}]


def problem_response(
    *, slug: str, detail: str, status_code: int | None = None, errors=None, headers=None
) -> Response:
    code, title = PROBLEM_TYPES[slug]
    body = {
        "type": PROBLEM_BASE + slug,
        "title": str(title),
        "status": status_code or code,
        "detail": str(detail),
    }
    if errors:
        body["errors"] = errors
    return Response(
        body,
        status=status_code or code,
        headers=headers,
        content_type=PROBLEM_CONTENT_TYPE,
    )


def _from_django(exc):
    """Django's exceptions as DRF's, so one mapping below serves both."""
    if isinstance(exc, MassActionRefused):
        return exc
    if isinstance(exc, Http404):
        return exceptions.NotFound()
    if isinstance(exc, DjangoPermissionDenied):
        return exceptions.PermissionDenied()
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            return exceptions.ValidationError(
                {field: [str(m) for m in errs] for field, errs in exc.message_dict.items()}
            )
        return exceptions.ValidationError({"non_field_errors": [str(m) for m in exc.messages]})
    return exc


_SLUGS = [
    (exceptions.ValidationError, "validation-error"),
    (exceptions.ParseError, "bad-request"),
    (exceptions.NotAuthenticated, "not-authenticated"),
    (exceptions.AuthenticationFailed, "not-authenticated"),
    (exceptions.NotFound, "not-found"),
    (exceptions.MethodNotAllowed, "method-not-allowed"),
    (exceptions.NotAcceptable, "not-acceptable"),
    (exceptions.UnsupportedMediaType, "unsupported-media-type"),
    (exceptions.Throttled, "rate-limited"),
]


def problem_exception_handler(exc, context):
    from api.permissions import InsufficientScope

    exc = _from_django(exc)
    if isinstance(exc, MassActionRefused):
        return problem_response(slug="export-limit", detail=exc.message)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # a real bug: Django's 500 handling (and its logging) takes over
    if isinstance(exc, InsufficientScope):
        slug = "insufficient-scope"
    elif response.status_code == status.HTTP_409_CONFLICT:
        slug = "conflict"
    else:
        slug = next((s for cls, s in _SLUGS if isinstance(exc, cls)), None)
        slug = slug or ("forbidden" if response.status_code == 403 else "bad-request")
    errors = None
    if isinstance(exc, exceptions.ValidationError):
        errors = _flatten(exc.detail)
        detail = str(_("Correct the fields listed in errors and send the request again."))
        if len(errors) == 1:
            first = errors[0]
            detail = f"{first['field']}: {first['detail']}" if first["field"] else first["detail"]
    else:
        detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
    headers = {
        key: value
        for key, value in response.items()
        if key in ("Retry-After", "WWW-Authenticate", "Allow")
    }
    return problem_response(
        slug=slug,
        detail=detail,
        status_code=response.status_code,
        errors=errors,
        headers=headers,
    )


# --- The schema: every operation documents the problems it can answer -----------------

_PROBLEM_STATUSES = {
    "400": _("Invalid input (problem details with field errors)."),
    "401": _("No token, or a wrong, expired or revoked one."),
    "403": _(
        "The token lacks the scope, the action is not allowed, or the export limit is reached."
    ),
    "404": _("Not found, or outside what the token's user may see."),
    "406": _("The Accept header asks for a format the API does not speak."),
    "415": _("The body's content type is not JSON."),
    "429": _("Too many requests: wait the seconds in Retry-After."),
}


def add_problem_responses(result, generator, request, public):
    """drf-spectacular postprocessing hook: the problem schema, and the problem responses
    on every operation (so a schema-driven client, and schemathesis, know them)."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault(
        "Problem",
        {
            "type": "object",
            "description": "RFC 9457 problem details",
            "properties": {
                "type": {"type": "string"},
                "title": {"type": "string"},
                "status": {"type": "integer"},
                "detail": {"type": "string"},
                "instance": {"type": "string"},
                "errors": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "field": {"type": "string"},
                            "detail": {"type": "string"},
                            "code": {"type": "string"},
                        },
                        "required": ["field", "detail"],
                    },
                },
            },
            "required": ["type", "title", "status", "detail"],
        },
    )
    problem = {PROBLEM_CONTENT_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    retry_after = {
        "Retry-After": {
            "schema": {"type": "integer"},
            "description": "Seconds to wait before the next request.",
        }
    }
    for path in result.get("paths", {}).values():
        for method, operation in path.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            responses = operation.setdefault("responses", {})
            for code, description in _PROBLEM_STATUSES.items():
                entry = responses.setdefault(code, {"description": str(description)})
                entry["content"] = problem
                if code == "429":
                    entry["headers"] = retry_after
    return result
