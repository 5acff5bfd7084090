"""The client's address, for every rate limit, lockout and audit entry.

Behind a reverse proxy ``REMOTE_ADDR`` is the proxy: counting it would let one client lock out every
citizen. Only when the request comes from a configured trusted proxy (``TRUSTED_PROXIES``) is the
configured header (``CLIENT_IP_HEADER``, e.g. ``HTTP_X_FORWARDED_FOR``) believed, and then its last
address that is not itself a trusted proxy is the client (earlier entries are whatever the client sent).
"""
import ipaddress

from django.conf import settings


def _valid(text: str) -> str | None:
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return None


def client_ip(request) -> str | None:
    """The client's address; ``None`` for a request without one (a test client's ``force_login``)."""
    remote = request.META.get("REMOTE_ADDR") or None
    if remote is None:
        return None
    trusted = set(getattr(settings, "TRUSTED_PROXIES", ()))
    if remote not in trusted:
        return remote
    header = request.META.get(getattr(settings, "CLIENT_IP_HEADER", "HTTP_X_FORWARDED_FOR"), "")
    for hop in reversed([part for part in header.split(",") if part.strip()]):
        address = _valid(hop)
        if address is None:
            return remote  # a malformed chain: fall back to the proxy rather than believe it
        if address not in trusted:
            return address
    return remote
