"""Ingestion into PostgreSQL: exactly once, all or nothing per packet, aggregates, counters, rejections,
daily partitions."""
import datetime as dt

import pytest
from django.db import connection

from core import clock
from monitoring import hj212
from monitoring.models import Aggregate, HeldValue, IngestRejection, Reading
from monitoring.services import ingest, partitions
from tests.monitoring.ingest_support import TZ, data_frame, device, frames, readings_of, station

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2025, 3, 1, 12, 0, tzinfo=TZ)
T0 = dt.datetime(2025, 3, 1, 10, 0, tzinfo=TZ)


def run(*raw: bytes, now=NOW, source="test"):
    with clock.frozen(now):
        return ingest.ingest_frames(frames(*raw), source=source)


def test_readings_are_stored_once_even_when_resent():
    dev = device()
    frame = data_frame(dev.mn, T0, {"w01018": {"Rtd": 20.5, "Flag": "N"}, "w21003": {"Rtd": 1.25}})
    [first] = run(frame)
    assert first.accepted and (first.readings, first.stored) == (2, 2)
    second, third = run(frame, frame)
    assert second.accepted and third.accepted and second.stored == third.stored == 0
    rows = list(readings_of(dev).values_list("pollutant__code", "kind", "observed_at", "rtd", "value", "flag",
                                             "outlet_id"))
    assert rows == [("w01018", "realtime", T0, 20.5, 20.5, "N", dev.outlet_id),
                    ("w21003", "realtime", T0, 1.25, 1.25, "N", dev.outlet_id)]
    dev.refresh_from_db()
    assert (dev.accepted_packets, dev.stored_readings, dev.rejected_packets) == (3, 2, 0)
    assert dev.last_seen_at == NOW


def test_a_split_upload_is_stored_part_by_part_and_acknowledged_per_part():
    """A long upload split over packets (Flag D bit, PNUM/PNO): each part carries its DataTime and some of the
    pollutants; every part is stored and acknowledged on its own, the window counts each pollutant once."""
    dev = device()
    cp = [f"DataTime={T0:%Y%m%d%H%M%S};w01018-Avg=42.5,w01018-Flag=N",
          f"DataTime={T0:%Y%m%d%H%M%S};w21003-Avg=1.8,w21003-Flag=N"]
    parts = [hj212.build_frame(hj212.data_segment(cn="2051", mn=dev.mn, qn="20250301100000123", flag=7, pnum=2,
                                                  pno=n, cp=text)) for n, text in enumerate(cp, start=1)]
    outcomes = run(*parts, now=T0 + dt.timedelta(minutes=10))
    assert [(o.accepted, o.stored, o.packet.pnum, o.packet.pno) for o in outcomes] == [(True, 1, 2, 1), (True, 1, 2, 2)]
    assert [hj212.parse_packet(hj212.FrameReader().feed(o.reply())[0].data).cn for o in outcomes] == ["9014"] * 2
    assert dict(readings_of(dev).values_list("pollutant__code", "value")) == {"w01018": 42.5, "w21003": 1.8}
    assert dict(Aggregate.objects.filter(outlet=dev.outlet, period="half_hour").values_list(
        "pollutant__code", "count")) == {"w01018": 1, "w21003": 1}


def test_same_time_different_kind_is_another_reading():
    dev = device()
    run(data_frame(dev.mn, T0, {"w01018": {"Rtd": 20}}, cn="2011"),
        data_frame(dev.mn, T0, {"w01018": {"Avg": 21, "Min": 19, "Max": 23, "Cou": 1.5}}, cn="2051"),
        data_frame(dev.mn, T0, {"w01018": {"Avg": 22}}, cn="2061"),
        data_frame(dev.mn, T0.replace(hour=0), {"w01018": {"Avg": 22}}, cn="2031"))
    assert sorted(readings_of(dev).values_list("kind", flat=True)) == ["day", "hour", "minute", "realtime"]
    minute = Reading.objects.get(device=dev, kind="minute")
    assert (minute.avg, minute.min, minute.max, minute.cou, minute.value) == (21, 19, 23, 1.5, 21)


def test_2005_codes_are_stored_under_2017_codes():
    dev = device(protocol_version="2005")
    data = hj212.data_segment(cn="2011", mn=dev.mn, flag=None, qn=None,
                              cp="DataTime=20250301100000;011-Rtd=33.3;B01-Rtd=2.5")
    [out] = run(hj212.build_frame(data))
    assert out.accepted
    assert set(readings_of(dev).values_list("pollutant__code", "rtd")) == {("w01018", 33.3), ("w00000", 2.5)}


def test_items_that_cannot_count_are_held_as_sent_and_the_packet_acknowledged():
    """Nothing a registered device sends is thrown away: the readable items count, the others are held."""
    dev = device()
    bad_number = data_frame(dev.mn, T0, {"w01018": {"Rtd": 20}, "w21003": {"Rtd": "1.2.3"}})
    unknown_code = data_frame(dev.mn, T0 + dt.timedelta(minutes=1), {"w01018": {"Rtd": 21}, "x99999": {"Rtd": 1}})
    future = data_frame(dev.mn, NOW + dt.timedelta(hours=2), {"w01018": {"Rtd": 22}})
    outcomes = run(bad_number, unknown_code, future)
    assert [(o.accepted, o.readings, o.held) for o in outcomes] == [(True, 1, 1), (True, 1, 1), (True, 0, 1)]
    assert all(hj212.parse_packet(hj212.FrameReader().feed(o.reply())[0].data).cn == "9014" for o in outcomes)
    assert list(readings_of(dev).values_list("value", flat=True)) == [20.0, 21.0]
    held = {h.problem: h for h in HeldValue.objects.filter(device=dev)}
    assert (held["bad_value"].code, held["bad_value"].values) == ("w21003", {"Rtd": "1.2.3"})
    assert (held["unknown_code"].code, held["unknown_code"].values) == ("x99999", {"Rtd": "1", "Flag": "N"})
    assert held["bad_time"].observed_at == NOW + dt.timedelta(hours=2) and "implausible" in held["bad_time"].detail
    dev.refresh_from_db()
    assert (dev.accepted_packets, dev.rejected_packets) == (3, 0)
    assert not IngestRejection.objects.exists()


def test_unknown_mn_bad_crc_garbage_and_half_frames_are_logged():
    dev = device()
    good = data_frame(dev.mn, T0, {"w01018": {"Rtd": 20}})
    bad_crc = good[:-6] + (b"0000" if not good[:-2].endswith(b"0000") else b"1111") + b"\r\n"
    stranger = data_frame("UNKNOWN0000000000000000", T0, {"w01018": {"Rtd": 20}})
    reader = hj212.FrameReader()
    items = reader.feed(b"\x00\xffjunk" + bad_crc + stranger + good[:30])
    items.append(reader.close())
    with clock.frozen(NOW):
        outcomes = ingest.ingest_frames(items, source="1.2.3.4:5")
    assert [o.reason for o in outcomes] == ["garbage", "bad_crc", "unknown_mn", "truncated"]
    assert not Reading.objects.exists()
    assert IngestRejection.objects.count() == 4
    assert IngestRejection.objects.get(reason="unknown_mn").mn == "UNKNOWN0000000000000000"
    dev.refresh_from_db()
    assert dev.rejected_packets == 1  # the bad CRC is counted on the device named in it


def test_swapped_crc_only_from_a_device_that_allows_it():
    strict, tolerant = device(), device(accept_swapped_crc=True)
    outs = []
    for dev in (strict, tolerant):
        data = hj212.data_segment(cn="2011", mn=dev.mn, cp="DataTime=20250301100000;w01018-Rtd=5")
        raw = data.encode()
        frame = b"##%04d%s%04X\r\n" % (len(raw), raw, hj212.crc16_modbus_swapped(raw))
        outs += run(frame)
    assert [(o.accepted, o.reason) for o in outs] == [(False, "bad_crc"), (True, "")]


def test_password_and_inactive_device():
    locked = device(password="s3cret")
    retired = device(is_active=False)
    outs = run(data_frame(locked.mn, T0, {"w01018": {"Rtd": 1}}, pw="wrong"),
               data_frame(locked.mn, T0, {"w01018": {"Rtd": 1}}, pw="s3cret"),
               data_frame(retired.mn, T0, {"w01018": {"Rtd": 1}}))
    assert [(o.accepted, o.reason) for o in outs] == [(False, "wrong_pw"), (True, ""), (False, "inactive")]


def test_acknowledgements_for_accepted_and_refused_packets(settings):
    dev = device()
    ok = data_frame(dev.mn, T0, {"w01018": {"Rtd": 1}}, qn="20250301100000123")
    no_ack = data_frame(dev.mn, T0, {"w01018": {"Rtd": 2}}, flag=4)
    stranger = data_frame("NOBODY", T0, {"w01018": {"Rtd": 1}}, qn="20250301100000999")
    outs = run(ok, no_ack, stranger)
    ack = hj212.parse_packet(hj212.FrameReader().feed(outs[0].reply())[0].data)
    assert (ack.cn, ack.qn, ack.mn) == ("9014", "20250301100000123", dev.mn)
    assert outs[1].reply() is None
    nak = hj212.parse_packet(hj212.FrameReader().feed(outs[2].reply())[0].data)
    # An unknown MN is answered like a wrong password ("rejected"), unless the bureau wants them told apart.
    assert (nak.cn, nak.qn, nak.params["QnRtn"]) == ("9011", "20250301100000999", "2")
    settings.HJ212_DISTINCT_REFUSALS = True
    nak = hj212.parse_packet(hj212.FrameReader().feed(outs[2].reply())[0].data)
    assert nak.params["QnRtn"] == "4"


def test_half_hour_and_hour_aggregates_count_valid_data_only():
    dev = device()
    values = [(0, 10.0, "N"), (10, 20.0, "N"), (29, 90.0, "D"), (30, 40.0, "N"), (45, 60.0, "N")]
    run(*[data_frame(dev.mn, T0 + dt.timedelta(minutes=m), {"w01018": {"Rtd": v, "Flag": f}}) for m, v, f in values])
    aggs = {(a.period, a.start): a for a in Aggregate.objects.filter(outlet=dev.outlet, pollutant__code="w01018")}
    first = aggs[("half_hour", T0)]
    assert (first.count, first.valid_count, first.avg, first.min, first.max) == (3, 2, 15.0, 10.0, 20.0)
    second = aggs[("half_hour", T0 + dt.timedelta(minutes=30))]
    assert (second.count, second.valid_count, second.avg) == (2, 2, 50.0)
    hour = aggs[("hour", T0)]
    assert (hour.count, hour.valid_count, hour.avg, hour.min, hour.max) == (5, 4, 32.5, 10.0, 60.0)
    # A resend does not count twice; a later reading in the same bucket updates it incrementally.
    run(data_frame(dev.mn, T0, {"w01018": {"Rtd": 10.0}}),
        data_frame(dev.mn, T0 + dt.timedelta(minutes=5), {"w01018": {"Rtd": 30.0}}))
    first.refresh_from_db()
    assert (first.count, first.valid_count, first.avg, first.max) == (4, 3, 20.0, 30.0)
    # Hourly data are the better kind for the hour: they replace the minute statistics, never mix with
    # them, and leave the half-hours (which hourly data cannot build) alone.
    run(data_frame(dev.mn, T0, {"w01018": {"Avg": 99.0}}, cn="2061"))
    hour.refresh_from_db()
    assert (hour.kind, hour.count, hour.valid_count, hour.avg, hour.max) == ("hour", 1, 1, 99.0, 99.0)
    first.refresh_from_db()
    assert (first.kind, first.count) == ("realtime", 4)
    # Real-time data arriving after it do not touch the hour any more.
    run(data_frame(dev.mn, T0 + dt.timedelta(minutes=50), {"w01018": {"Rtd": 500.0}}))
    hour.refresh_from_db()
    assert (hour.count, hour.avg) == (1, 99.0)


def test_station_readings_with_wind_and_their_aggregates():
    stn = station()
    dev = device(station=stn)
    run(data_frame(dev.mn, T0, {"a34004": {"Rtd": 35}, "a01007": {"Rtd": 3.2}, "a01008": {"Rtd": 270}}, cn="2011"))
    assert set(Reading.objects.filter(station=stn).values_list("pollutant__code", "value")) == \
        {("a34004", 35.0), ("a01007", 3.2), ("a01008", 270.0)}
    # half-hour, hour and day windows of the three codes
    assert sorted(Aggregate.objects.filter(station=stn, outlet=None).values_list("period", flat=True)) == \
        ["day"] * 3 + ["half_hour"] * 3 + ["hour"] * 3


def test_daily_partitions_are_created_and_rows_moved_out_of_the_default_partition():
    partitions.forget_known_days()
    dev = device()
    day = dt.date(2024, 6, 1)
    # Ingestion creates no table: a reading of a day without a partition lands in the default partition.
    run(data_frame(dev.mn, dt.datetime(2024, 6, 1, 8, tzinfo=TZ), {"w01018": {"Rtd": 1}}))
    assert day not in partitions.existing_days()
    with connection.cursor() as cur:
        cur.execute(f"SELECT count(*) FROM {partitions.DEFAULT} WHERE device_id = %s", [dev.pk])
        assert cur.fetchone()[0] == 1
    partitions.forget_known_days()
    Reading.objects.create(device=dev, pollutant_id=ingest.pollutant_codes()[0]["w01018"], kind="realtime",
                           observed_at=dt.datetime(2024, 6, 1, 9, tzinfo=TZ), outlet=dev.outlet, value=2,
                           received_at=NOW)
    # The scheduled path makes the day's partition and moves its rows out of the default one.
    assert partitions.ensure_partitions([day]) == [day]
    with connection.cursor() as cur:
        cur.execute(f"SELECT count(*) FROM {partitions.partition_name(day)}")
        assert cur.fetchone()[0] == 2
        cur.execute(f"SELECT count(*) FROM {partitions.DEFAULT}")
        assert cur.fetchone()[0] == 0
    assert Reading.objects.filter(device=dev).count() == 2
    created = partitions.create_ahead(days_ahead=2, now=NOW)
    assert set(created) <= {dt.date(2025, 2, 28), dt.date(2025, 3, 1), dt.date(2025, 3, 2), dt.date(2025, 3, 3)}
    assert {dt.date(2025, 2, 28), dt.date(2025, 3, 3)} <= partitions.existing_days()
    partitions.forget_known_days()
