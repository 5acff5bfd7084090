"""The log of what the HJ 212 server could not frame: counted summaries per connection and reason
(a flood of garbage writes a row per reason when its connection closes, not a row per fragment), and
its retention."""
import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings

from core import clock

from ..models import IngestRejection
from .ingest import _excerpt, _no_nul


@dataclass
class Tally:
    """Framing errors of one reason on one connection."""

    count: int = 0
    first_at: dt.datetime | None = None
    last_at: dt.datetime | None = None
    excerpt: bytes = b""
    detail: str = ""


@dataclass
class ConnectionLog:
    """What one connection sent that could not be framed, kept in memory until it closes."""

    source: str
    tallies: dict[str, Tally] = field(default_factory=dict)
    garbage_bytes: int = 0

    def add(self, error, at: dt.datetime) -> None:
        tally = self.tallies.setdefault(error.reason, Tally(first_at=at, excerpt=error.raw, detail=error.detail))
        tally.count += 1
        tally.last_at = at
        self.garbage_bytes += len(error.raw)


def rejection_summaries_record(*, log: ConnectionLog) -> int:
    """One ``IngestRejection`` per reason of the connection's framing errors; returns how many rows."""
    rows = [IngestRejection(reason=reason, detail=_no_nul(t.detail)[:300], raw=_excerpt(t.excerpt),
                            source=_no_nul(log.source)[:64], received_at=t.first_at, last_at=t.last_at, count=t.count)
            for reason, t in log.tallies.items()]
    IngestRejection.objects.bulk_create(rows)
    return len(rows)


def rejections_purge(*, now: dt.datetime | None = None) -> int:
    """Delete rejections older than ``RETENTION_DAYS["rejections"]`` (one statement); returns how many."""
    cutoff = (now or clock.now()) - dt.timedelta(days=settings.RETENTION_DAYS["rejections"])
    return IngestRejection.objects.filter(received_at__lt=cutoff).delete()[0]
