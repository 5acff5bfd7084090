"""Helpers of the report tests: the day they look at and HJ 212 packets through ingestion."""
import datetime as dt

from core import clock
from monitoring.services import ingest
from tests.monitoring.ingest_support import TZ, frames

T0 = dt.datetime(2025, 3, 1, 0, 0, tzinfo=TZ)


def ingest_packets(raw, at):
    with clock.frozen(at):
        results = ingest.ingest_frames(frames(*raw), source="test")
    assert all(r.accepted for r in results), [r for r in results if not r.accepted]
