"""Device credentials over TCP: every device has its own generated password, and repeated wrong
passwords (or MN guessing) lock out the MN and the sending address for a while.

Counters live in Django's cache (Redis in production, shared by every HJ 212 server process). To the
sender an unknown MN, a wrong password, a deactivated device and a lock-out all look the same (CN 9011
with QnRtn=2, "rejected") unless ``HJ212_DISTINCT_REFUSALS`` is set; the log keeps the exact reason.
"""
import logging
import secrets
import string

from django.conf import settings
from django.core.cache import cache

log = logging.getLogger(__name__)
ALPHABET = string.ascii_letters + string.digits
CREDENTIAL_REASONS = frozenset({"unknown_mn", "wrong_pw", "inactive", "locked_out"})


def device_password_generate(length: int | None = None) -> str:
    """A random password of ``HJ212_DEVICE_PW_CHARS`` letters and digits (the PW field)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(length or settings.HJ212_DEVICE_PW_CHARS))


def address_of(source: str) -> str:
    """``'10.1.2.3:50412'`` → ``'10.1.2.3'`` (the peer of a TCP client; '' for other sources)."""
    return source.rsplit(":", 1)[0] if ":" in source else ""


def _keys(mn: str, address: str) -> dict[str, int]:
    """The cache keys counting failures of ``mn`` and ``address``, each with its limit (an address may
    be a gateway with many devices behind it: it gets more tries than one MN)."""
    space = settings.HJ212_LOCKOUT_KEY
    keys = {f"hj212:{space}:mn:{mn}": settings.HJ212_MAX_FAILED_LOGINS} if mn else {}
    if address:
        keys[f"hj212:{space}:addr:{address}"] = settings.HJ212_MAX_FAILED_PER_ADDRESS
    return keys


def is_locked_out(mn: str, address: str) -> bool:
    """Has this MN or address made too many failed attempts within the window?"""
    limits = _keys(mn, address)
    try:
        counts = cache.get_many(list(limits))
    except Exception:  # noqa: BLE001 (the cache is down: readings must still be stored, so no lock-out)
        log.warning("lock-out counters unavailable; %s from %s not checked", mn, address)
        return False
    return any(n >= limits[key] for key, n in counts.items())


def failed_attempt_record(*, mn: str, address: str) -> None:
    """Count a wrong password (or an unknown MN) against the MN and the address; each count expires
    after ``HJ212_LOCKOUT_SECONDS`` from its first failure."""
    try:
        for key in _keys(mn, address):
            if not cache.add(key, 1, timeout=settings.HJ212_LOCKOUT_SECONDS):
                try:
                    cache.incr(key)
                except ValueError:  # expired in between
                    cache.add(key, 1, timeout=settings.HJ212_LOCKOUT_SECONDS)
    except Exception:  # noqa: BLE001 (the cache is down: the refusal stands, it is just not counted)
        log.warning("lock-out counters unavailable; a failure of %s from %s not counted", mn, address)
