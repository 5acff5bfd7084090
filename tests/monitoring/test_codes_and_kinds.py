"""What real devices send, kept: the whole code table, 2005 codes per medium, unknown codes held and
mapped, refusals with the protocol's return codes, every data kind feeding its windows, replay_hj212."""
import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from core import clock
from enterprises.models import Pollutant, Role
from monitoring import hj212
from monitoring.models import Aggregate, CodeMapping, HeldValue, IngestRejection, InstrumentState, Reading
from monitoring.services import ingest
from tests import factories
from tests.monitoring.ingest_support import TZ, data_frame, device, frames, readings_of, station

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2025, 3, 1, 12, 0, tzinfo=TZ)
T0 = dt.datetime(2025, 3, 1, 10, 0, tzinfo=TZ)


def run(*raw: bytes, now=NOW):
    with clock.frozen(now):
        return ingest.ingest_frames(frames(*raw), source="test")


def reply_of(outcome) -> hj212.Packet:
    return hj212.parse_packet(hj212.FrameReader().feed(outcome.reply())[0].data)


def test_the_whole_code_table_is_loaded_with_units_and_2005_codes():
    codes = {p.code: p for p in Pollutant.objects.all()}
    assert len(codes) >= 370
    assert (codes["w01018"].unit, codes["w01018"].emission_unit, codes["w01018"].code_2005) == ("mg/L", "kg", "011")
    assert (codes["a21001"].name, codes["a21001"].unit, codes["a21001"].medium) == ("氨（氨气）", "mg/m³", "air")
    assert codes["w23002"].name == "挥发酚" and not codes["w23002"].is_parameter
    assert codes["i12001"].medium == "device" and codes["i12001"].is_parameter and "校准（3）" in codes["i12001"].note
    assert codes["LA"].medium == "noise" and codes["e101xx"].medium == "water"
    assert codes["a34001"].unit == "μg/m³"  # the transcription's 纳克/立方米 corrected


def test_2005_codes_on_a_water_outlet_and_on_a_stack():
    water = device()
    stack = device(factories.outlet(factories.permit(factories.enterprise()), code="DA001", kind="air",
                                    limits={"a21026": 200}))
    # "01" is smoke dust on a stack and nothing on a water outlet; "011" is COD on a water outlet only.
    cp = "DataTime=20250301100000;011-Rtd=33.3;01-Rtd=12.5;02-Rtd=80"
    outs = run(*[hj212.build_frame(hj212.data_segment(cn="2011", mn=d.mn, flag=5, qn="20250301100000001", cp=cp))
                 for d in (water, stack)])
    assert [(o.accepted, o.readings, o.held) for o in outs] == [(True, 1, 2), (True, 2, 1)]
    assert set(readings_of(water).values_list("pollutant__code", "rtd")) == {("w01018", 33.3)}
    assert set(readings_of(stack).values_list("pollutant__code", "rtd")) == {("a34013", 12.5), ("a21026", 80.0)}
    assert sorted(HeldValue.objects.filter(device=water).values_list("code", flat=True)) == ["01", "02"]
    assert list(HeldValue.objects.filter(device=stack).values_list("code", flat=True)) == ["011"]
    # A per-device override wins over the code table: this stack's vendor means NOx by "011".
    CodeMapping.objects.create(device=stack, code="011", pollutant=Pollutant.objects.get(code="a21002"),
                               created_at=NOW)
    run(hj212.build_frame(hj212.data_segment(cn="2011", mn=stack.mn, cp=cp.replace("100000", "100100"))))
    assert Reading.objects.get(device=stack, pollutant__code="a21002").rtd == 33.3


def test_a_packet_with_one_unknown_code_is_stored_acknowledged_and_listed_for_mapping(client):
    dev = device()
    frame = data_frame(dev.mn, T0, {"w01018": {"Rtd": 42.0, "Flag": "N"}, "w99901": {"Rtd": 7.5, "Flag": "N"}},
                       qn="20250301100000321")
    [out] = run(frame)
    assert out.accepted and (out.readings, out.held) == (1, 1)
    ack = reply_of(out)
    assert (ack.cn, ack.qn, ack.mn) == ("9014", "20250301100000321", dev.mn)
    assert Reading.objects.get(device=dev).value == 42.0
    held = HeldValue.objects.get(device=dev)
    assert (held.code, held.values, held.problem, held.observed_at) == (
        "w99901", {"Rtd": "7.5", "Flag": "N"}, "unknown_code", T0)

    officer = factories.user(Role.TOWNSHIP, township=dev.outlet.enterprise.township)
    stranger = factories.user(Role.TOWNSHIP, township=factories.township("别镇"))
    client.force_login(stranger)
    assert "w99901" not in client.get(reverse("monitoring:held-codes")).text
    client.force_login(factories.user(Role.ENTERPRISE, enterprise=dev.outlet.enterprise))
    assert client.get(reverse("monitoring:held-codes")).status_code == 403
    client.force_login(officer)
    page = client.get(reverse("monitoring:held-codes"))
    assert page.status_code == 200 and "w99901" in page.text and dev.mn in page.text and "Rtd=7.5" in page.text

    # Mapped: the held value counts (as a reading and in its windows), and so do later packets.
    with clock.frozen(NOW):
        done = client.post(reverse("monitoring:held-code-map"),
                           {"device": dev.pk, "code": "w99901", "pollutant": "w21003"}, follow=True)
    assert "1" in done.text and "w99901" not in done.text.split("<tbody>")[1]
    assert Reading.objects.get(device=dev, pollutant__code="w21003", observed_at=T0).value == 7.5
    assert Aggregate.objects.get(outlet=dev.outlet, pollutant__code="w21003", period="hour").avg == 7.5
    assert HeldValue.objects.get(device=dev).counted_at == NOW
    run(data_frame(dev.mn, T0 + dt.timedelta(minutes=1), {"w99901": {"Rtd": 8.5}}))
    assert readings_of(dev).filter(pollutant__code="w21003").count() == 2


def test_recount_held_command_counts_the_past_once_a_mapping_exists():
    dev = device()
    run(*[data_frame(dev.mn, T0 + dt.timedelta(minutes=m), {"zz001": {"Rtd": 10 + m}}) for m in range(3)])
    CodeMapping.objects.create(device=dev, code="zz001", pollutant=Pollutant.objects.get(code="w01018"),
                               created_at=NOW)
    out = io.StringIO()
    with clock.frozen(NOW):
        call_command("recount_held", "--device", dev.mn, stdout=out)
    assert "counted 3 held values (3 new readings), 0 still held" in out.getvalue()
    assert list(readings_of(dev).values_list("value", flat=True)) == [10.0, 11.0, 12.0]
    with clock.frozen(NOW):
        call_command("recount_held", stdout=out)  # nothing counted twice
    assert readings_of(dev).count() == 3


def test_family_codes_become_their_own_pollutants():
    dev = device()
    [out] = run(data_frame(dev.mn, T0, {"e10101": {"Rtd": 3.2}, "e10102": {"Rtd": 4.1}}))
    assert out.readings == 2
    names = dict(Pollutant.objects.filter(code__in=["e10101", "e10102"]).values_list("code", "name"))
    assert names == {"e10101": "进水口流量（01号）", "e10102": "进水口流量（02号）"}


def test_refusals_answer_with_the_protocol_return_codes_and_are_logged(settings):
    dev = device(password="s3cret")
    good = data_frame(dev.mn, T0, {"w01018": {"Rtd": 1}}, pw="s3cret", qn="20250301100000001")
    bad_crc = good[:-6] + (b"0000" if not good[:-2].endswith(b"0000") else b"1111") + b"\r\n"
    wrong_pw = data_frame(dev.mn, T0, {"w01018": {"Rtd": 1}}, pw="guess", qn="20250301100000002")
    stranger = data_frame("NOBODY000000000000000001", T0, {"w01018": {"Rtd": 1}}, qn="20250301100000003")
    outs = run(bad_crc, wrong_pw, stranger, good)
    assert [(o.accepted, o.reason) for o in outs] == [(False, "bad_crc"), (False, "wrong_pw"), (False, "unknown_mn"),
                                                      (True, "")]
    replies = [reply_of(o) for o in outs]
    # a wrong password and an unknown MN look the same to the sender ("rejected")...
    assert [(r.cn, r.params.get("QnRtn")) for r in replies] == [("9011", "9"), ("9011", "2"), ("9011", "2"),
                                                                ("9014", None)]
    settings.HJ212_DISTINCT_REFUSALS = True  # ...unless the bureau wants them told apart
    assert [reply_of(o).params.get("QnRtn") for o in outs[1:3]] == ["3", "4"]
    logged = dict(IngestRejection.objects.values_list("reason", "detail"))
    assert set(logged) == {"bad_crc", "wrong_pw", "unknown_mn"} and all(logged.values())
    # a bad length field is refused by the framing, before any device is known
    [short] = run(b"##0999" + good[6:])
    assert (short.accepted, short.reason) == (False, "bad_length")


def test_every_data_kind_feeds_its_windows_from_the_best_kind():
    """An hourly-only logger builds hours and days; a minute logger's hour is replaced by its hourly
    data when they come; the day takes daily data over hourly, never both."""
    hourly, mixed = device(), device()
    run(*[data_frame(hourly.mn, T0 + dt.timedelta(hours=h), {"w01018": {"Avg": 40.0 + h}}, cn="2061")
          for h in range(3)])
    hours = Aggregate.objects.filter(outlet=hourly.outlet, pollutant__code="w01018", period="hour")
    assert sorted(hours.values_list("avg", "kind")) == [(40.0, "hour"), (41.0, "hour"), (42.0, "hour")]
    assert not Aggregate.objects.filter(outlet=hourly.outlet, period="half_hour").exists()
    day = Aggregate.objects.get(outlet=hourly.outlet, pollutant__code="w01018", period="day")
    assert (day.kind, day.count, day.avg, day.start) == ("hour", 3, 41.0, dt.datetime(2025, 3, 1, tzinfo=TZ))

    run(*[data_frame(mixed.mn, T0 + dt.timedelta(minutes=10 * k), {"w01018": {"Avg": 10.0}}, cn="2051")
          for k in range(6)])
    hour = Aggregate.objects.get(outlet=mixed.outlet, pollutant__code="w01018", period="hour", start=T0)
    assert (hour.kind, hour.count, hour.avg) == ("minute", 6, 10.0)
    run(data_frame(mixed.mn, T0, {"w01018": {"Avg": 12.0}}, cn="2061"))
    hour.refresh_from_db()
    assert (hour.kind, hour.count, hour.avg) == ("hour", 1, 12.0)
    run(data_frame(mixed.mn, dt.datetime(2025, 3, 1, tzinfo=TZ), {"w01018": {"Avg": 11.0}}, cn="2031"))
    day = Aggregate.objects.get(outlet=mixed.outlet, pollutant__code="w01018", period="day")
    assert (day.kind, day.count, day.avg) == ("day", 1, 11.0)


def test_instrument_status_codes_are_stored_as_readings():
    dev = device()
    run(data_frame(dev.mn, T0, {"w01018": {"Rtd": 20, "Flag": "C"}, "i12001": {"Rtd": 3}}))
    assert dict(readings_of(dev).values_list("pollutant__code", "flag")) == {"w01018": "C", "i12001": "N"}
    assert Reading.objects.get(device=dev, pollutant__code="i12001").value == 3


def test_cn_3020_instrument_states_per_analyser_are_stored_and_acknowledged():
    dev = device(reporting_interval_minutes=60)
    cp = ("DataTime=20250301100000;PolId=w01018;i12001-Info=0,i12002-Info=0,i12003-Info=0;"
          "PolId=w21003;i12001-Info=3;i12002-Info=0;i12003-Info=1;i13003-Info=60;i11001-Info=//reagent changed//")
    [outcome] = run(hj212.build_frame(hj212.data_segment(cn="3020", mn=dev.mn, qn="20250301100000001", flag=5,
                                                          cp=cp)))
    assert outcome.accepted and reply_of(outcome).cn == "9014"
    # each analyser's states are its own (NH3-N calibrating and alarmed, COD running); parameters are readings
    assert sorted(InstrumentState.objects.filter(device=dev).values_list("analyser__code", "code", "state",
                                                                         "observed_at")) == [
        ("w01018", "i12001", 0, T0), ("w01018", "i12002", 0, T0), ("w01018", "i12003", 0, T0),
        ("w21003", "i12001", 3, T0), ("w21003", "i12002", 0, T0), ("w21003", "i12003", 1, T0)]
    assert {code: value for code, value, kind in readings_of(dev).values_list("pollutant__code", "value", "kind")
            if kind == "realtime"} == {"i13003": 60}
    assert not HeldValue.objects.exists()  # the log text is device information, not a value
    dev.refresh_from_db()
    assert dev.reporting_interval_minutes == 60  # a state upload says nothing of the reporting interval
    packet = hj212.parse_packet(hj212.FrameReader().feed(hj212.build_frame(
        hj212.data_segment(cn="3020", mn=dev.mn, cp=cp)))[0].data)
    assert packet.infos[:2] == (("w01018", "i12001", "0"), ("w01018", "i12002", "0")) and not packet.items


def test_replay_hj212_reports_what_was_stored_refused_and_acknowledged(tmp_path):
    dev = device()
    good = data_frame(dev.mn, T0, {"w01018": {"Rtd": 20}, "x0001": {"Rtd": 1}}, qn="20250301100000001")
    silent = data_frame(dev.mn, T0 + dt.timedelta(minutes=1), {"w01018": {"Rtd": 21}}, flag=4)
    stranger = data_frame("NOBODY000000000000000001", T0, {"w01018": {"Rtd": 1}})
    capture = tmp_path / "capture.log"
    capture.write_bytes(b"2025-03-01 10:00:01 RX: " + good.rstrip(b"\r\n") + b"\n" + silent + stranger
                        + b"just noise\n")
    out = io.StringIO()
    with clock.frozen(NOW):
        call_command("replay_hj212", str(capture), stdout=out)
    text = out.getvalue()
    assert f"line 1: MN {dev.mn} CN 2011 stored: 1 readings (1 new), 1 held; reply: 9014" in text
    assert "line 2:" in text and "stored: 1 readings (1 new), 0 held; reply: no reply" in text
    assert "line 3: MN NOBODY000000000000000001 CN 2011 refused: unknown_mn" in text and "9011 QnRtn=2" in text
    assert "line 4: no frame (no ##)" in text
    assert "3 frames: 2 stored (2 readings, 1 held values), 1 refused, 1 acknowledged; 1 lines without a frame" \
        in text
    assert readings_of(dev).count() == 2


def test_wind_direction_is_averaged_as_a_vector():
    stn = station()
    dev = device(station=stn)
    run(*[data_frame(dev.mn, T0 + dt.timedelta(minutes=10 * k), {"a01008": {"Avg": d}, "a01007": {"Avg": 2.0}},
                     cn="2051") for k, d in enumerate((350, 10, 355))])
    run(data_frame(dev.mn, T0 + dt.timedelta(minutes=30), {"a01008": {"Avg": 5}}, cn="2051"))  # a later batch
    hour = Aggregate.objects.get(station=stn, pollutant__code="a01008", period="hour")
    assert hour.valid_count == 4 and (hour.avg < 0.5 or hour.avg > 359.5)
    first_half = Aggregate.objects.get(station=stn, pollutant__code="a01008", period="half_hour", start=T0)
    assert first_half.avg == pytest.approx(358.33, abs=0.05)
    assert Aggregate.objects.get(station=stn, pollutant__code="a01007", period="hour").avg == 2.0
    from dashboard.tracing import wind_at
    direction, speed = wind_at(stn, T0 + dt.timedelta(minutes=59))
    assert (direction < 0.5 or direction > 359.5) and speed == 2.0


def test_county_staff_see_the_unknown_codes_of_outlets_and_stations(client):
    outlet_device, station_device = device(), device(station=station())
    run(data_frame(outlet_device.mn, T0, {"q0001": {"Rtd": 1}}), data_frame(station_device.mn, T0, {"q0002": {"Rtd": 2}}))
    client.force_login(factories.user(Role.BUREAU))
    page = client.get(reverse("monitoring:held-codes")).text
    assert "q0001" in page and "q0002" in page
