"""A record's date as the viewer reads it, from either database's JSON: PostgreSQL gives aware ISO
times, SQLite (the embedded default) naive UTC text — the enterprise's eco-code API answered 500 on the
latter before."""
from ecocode.records import local_date


def test_record_times_of_both_databases_are_shown_in_county_time():
    assert local_date("2026-03-02T09:00:00+00:00") == "2026-03-02 17:00"  # PostgreSQL
    assert local_date("2026-03-02 09:00:00") == "2026-03-02 17:00"  # SQLite: stored in UTC
    assert local_date("2026-03-02 09:00:00.123456") == "2026-03-02 17:00"
    assert local_date("2026-03-02") == "2026-03-02" and local_date(None) == ""
