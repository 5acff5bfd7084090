"""A Content-Security-Policy on every page: scripts only from the platform itself or inline with this
response's nonce (``request.csp_nonce``, passed to django-leaflet's ``{% leaflet_map ... csp_nonce= %}``),
images from the platform and the map tile server, no plugins, no framing, forms post only to the platform.
Styles may be inline (the pages' ``<style>`` blocks and the map markers' style attributes). The Swagger
page of the API (a developer tool with its own inline script) is left out."""
import secrets
from urllib.parse import urlsplit

from django.conf import settings

EXEMPT_PREFIXES = ("/api/docs/",)


def _tile_source() -> str:
    """``https://*.example.com`` for a tile URL with a ``{s}`` subdomain, else its scheme and host."""
    url = (getattr(settings, "LEAFLET_CONFIG", {}) or {}).get("TILES") or ""
    if isinstance(url, (list, tuple)):
        url = url[0][1] if url and isinstance(url[0], (list, tuple)) else ""
    parts = urlsplit(str(url).replace("{s}", "x"))
    if not parts.scheme or not parts.hostname:
        return ""
    host = parts.hostname
    if "{s}" in str(url):
        host = "*." + host.split(".", 1)[1] if "." in host else host
    return f"{parts.scheme}://{host}"


def policy(nonce: str) -> str:
    tiles = _tile_source()
    return "; ".join([
        "default-src 'self'",
        f"script-src 'self' 'nonce-{nonce}'",
        "style-src 'self' 'unsafe-inline'",
        f"img-src 'self' data: blob:{' ' + tiles if tiles else ''}",
        "connect-src 'self'",
        "font-src 'self' data:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ])


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.csp_nonce = secrets.token_urlsafe(16)
        response = self.get_response(request)
        if not request.path.startswith(EXEMPT_PREFIXES):
            response.headers.setdefault("Content-Security-Policy", policy(request.csp_nonce))
        return response
