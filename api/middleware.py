from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation.trans_real import parse_accept_lang_header

API_PREFIXES = ("/api/v1/", "/api/schema/")


def language_from_accept(header: str) -> str:
    """The first language of Accept-Language we speak (zh, zh-CN, zh-Hans → zh-hans;
    en-US → en), else the agency's default."""
    for code, _quality in parse_accept_lang_header(header or ""):
        if code == "*":
            break
        try:
            return translation.get_supported_language_variant(code.lower())
        except LookupError:
            base = code.lower().split("-")[0]
            if base == "zh":
                return "zh-hans"
            continue
    return settings.LANGUAGE_CODE


class ApiLanguageMiddleware:
    """A program tells its language with Accept-Language, not a cookie: on the API (not
    its docs or the token pages, which follow the person's choice like every page)
    errors and labels come in the caller's language. After DefaultLanguageMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path_info.startswith(API_PREFIXES):
            return self.get_response(request)
        language = language_from_accept(request.headers.get("Accept-Language", ""))
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers["Content-Language"] = language
        patch_vary_headers(response, ["Accept-Language"])
        return response
