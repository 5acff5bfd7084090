"""Device credentials over TCP: every device has its own generated password, and repeated wrong
passwords (or MN guessing) lock out the MN and the sending address for a while.

Counters live in Django's cache (Redis in production, shared by every HJ 212 server process). To the
sender an unknown MN, a wrong password, a deactivated device and a lock-out all look the same (CN 9011
with QnRtn=2, "rejected") unless ``HJ212_DISTINCT_REFUSALS`` is set; the log keeps the exact reason.
"""
import logging
import secrets
import string
from collections.abc import Iterable

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


class Lockouts:
    """The lock-out counters of a batch's MNs and addresses, read from the cache in one round trip (one
    per packet was 40% of a batch's time). A failure recorded during the batch counts at once for the
    packets after it, as when each packet read the counters itself."""

    def __init__(self, pairs: Iterable[tuple[str, str]]):
        self.keys = {pair: _keys(*pair) for pair in set(pairs) if pair[1]}
        wanted = list({key for keys in self.keys.values() for key in keys})
        try:
            self.counts: dict[str, int] | None = cache.get_many(wanted) if wanted else {}
        except Exception:  # noqa: BLE001 (the cache is down: readings must still be stored, so no lock-out)
            log.warning("lock-out counters unavailable; %d senders not checked", len(self.keys))
            self.counts = None

    def is_locked_out(self, mn: str, address: str) -> bool:
        """Has this MN or address made too many failed attempts within the window?"""
        if self.counts is None:
            return False
        keys = self.keys.get((mn, address)) or _keys(mn, address)
        return any(self.counts.get(key, 0) >= limit for key, limit in keys.items())

    def failed(self, *, mn: str, address: str) -> None:
        """Record a failure (``failed_attempt_record``) and count it for the rest of the batch."""
        failed_attempt_record(mn=mn, address=address)
        if self.counts is not None:
            for key in _keys(mn, address):
                self.counts[key] = self.counts.get(key, 0) + 1


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
