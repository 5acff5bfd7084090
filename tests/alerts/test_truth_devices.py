"""What loggers say about their instruments and how often they speak, from packets: the instrument states
of a CN 3020 upload feed the device-fault rule and mute exceedance in calibration, of the analyser they
name or, naming none, of the whole outlet; a daily-only logger (CN 2031) is judged on its daily
interval, for missing data and for completeness."""
import pytest

from alerts.models import Alert, Exceedance, Rule
from core import clock
from monitoring import hj212
from monitoring.models import InstrumentState
from monitoring.services import ingest
from notifications.models import Notification
from tests.alerts.alert_support import site
from tests.alerts.test_truth_warnings import DAY, HOUR, MIN, TEN, cycle, send
from tests.ecocode.helpers import ind, points
from tests.monitoring.ingest_support import frames

pytestmark = pytest.mark.django_db


def send_states(device, at, cp_items):
    """A CN 3020 upload at ``at`` (``cp_items``: ``PolId=…;i12001-Info=…`` as a logger writes them)."""
    raw = hj212.build_frame(hj212.data_segment(cn="3020", mn=device.mn, pw=device.password, flag=5,
                                               qn=f"{at:%Y%m%d%H%M%S}000", cp=f"DataTime={at:%Y%m%d%H%M%S};{cp_items}"))
    with clock.frozen(at):
        [outcome] = ingest.ingest_frames(frames(raw), source="logger")
    assert outcome.accepted and hj212.parse_packet(hj212.FrameReader().feed(outcome.reply())[0].data).cn == "9014"


def test_cn_3020_calibration_mutes_exceedance_and_an_analyser_alarm_is_a_device_fault():
    calibrating_out, calibrating = site(period="hour")
    alarmed_out, alarmed = site(period="hour")
    start = DAY + 9 * HOUR
    send_states(calibrating, start, "PolId=w01018;i12001-Info=3;i12002-Info=0;i12003-Info=0")
    send_states(alarmed, start, "PolId=w01018;i12001-Info=0;i12002-Info=0;i12003-Info=1")
    for k in range(6):
        at = start + TEN * k
        send(calibrating, at, {"w01018": {"Avg": 300.0, "Flag": "N"}})
        send(alarmed, at, {"w01018": {"Avg": 40.0 + k, "Flag": "N"}})
        if k % 3 == 0:
            send_states(calibrating, at + TEN, "PolId=w01018;i12001-Info=3")
        cycle(at + TEN)
    cycle(start + HOUR + 5 * MIN)
    assert not Alert.objects.filter(outlet=calibrating_out, rule=Rule.EXCEEDANCE).exists()
    assert not Exceedance.objects.exists()  # the calibrating hour is no violation
    calibrating_alert = Alert.objects.get(outlet=calibrating_out)
    alarmed_alert = Alert.objects.get(outlet=alarmed_out)
    assert calibrating_alert.rule == alarmed_alert.rule == Rule.DEVICE_FLAG
    assert calibrating_alert.evidence["status_text"] == ["校准"]
    assert alarmed_alert.evidence["status"] == {"i12003": [1]} and alarmed_alert.evidence["status_text"] == ["分析仪报警"]
    assert "分析仪报警" in Notification.objects.get(kind="alert.opened", enterprise=alarmed_out.enterprise).subject


def test_an_analyser_in_calibration_mutes_its_own_pollutant_and_a_state_naming_none_the_whole_outlet():
    one_out, one = site(period="hour")          # the ammonia analyser calibrates (PolId=w21003)
    whole_out, whole = site(period="hour")      # a working state that names no analyser
    start = DAY + 9 * HOUR
    send_states(one, start, "PolId=w01018;i12001-Info=0;PolId=w21003;i12001-Info=3")
    send_states(whole, start, "i12001-Info=3")
    for k in range(6):
        at = start + TEN * k
        for device in (one, whole):
            send(device, at, {"w01018": {"Avg": 300.0, "Flag": "N"}, "w21003": {"Avg": 60.0, "Flag": "N"}})
        if k % 3 == 2:
            send_states(one, at + TEN, "PolId=w01018;i12001-Info=0;PolId=w21003;i12001-Info=3")
            send_states(whole, at + TEN, "i12001-Info=3")
        cycle(at + TEN)
    cycle(start + HOUR + 5 * MIN)
    assert list(InstrumentState.objects.filter(device=one).values_list("analyser__code", "code", "state")
                .distinct().order_by("analyser__code")) == [("w01018", "i12001", 0), ("w21003", "i12001", 3)]
    # COD of the first outlet is judged (its analyser runs); ammonia, calibrating, is not
    cod = Alert.objects.get(outlet=one_out, rule=Rule.EXCEEDANCE)
    assert cod.pollutant.code == "w01018" and cod.notify_count >= 1 and cod.muted == ""
    flag = Alert.objects.get(outlet=one_out, rule=Rule.DEVICE_FLAG)
    assert flag.evidence["status_text"] == ["校准"] and flag.evidence["pollutants"] == [
        one_out.limits.get(pollutant__code="w21003").pollutant_id]
    assert list(Exceedance.objects.values_list("outlet", "pollutant__code")) == [(one_out.pk, "w01018")]
    # the state naming no analyser mutes both pollutants of the second outlet
    assert list(Alert.objects.filter(outlet=whole_out).values_list("rule", flat=True)) == [Rule.DEVICE_FLAG]
    assert "pollutants" not in Alert.objects.get(outlet=whole_out).evidence


def test_a_daily_only_logger_is_judged_on_its_daily_interval():
    out, device = site(period="day")
    pollutant = out.limits.get(pollutant__code="w01018").pollutant
    out.permit.monitoring_duties.create(outlet=out, pollutant=pollutant, method="online", frequency="continuous")
    device.last_seen_at = None
    device.save()
    first = DAY - 3 * 24 * HOUR
    for d in range(3):  # three days of daily data, each received half an hour after its day
        send(device, first + d * 24 * HOUR, {"w01018": {"Avg": 50.0}}, cn="2031", arrive=first + (d + 1) * 24 * HOUR
             + 3 * TEN)
    device.refresh_from_db()
    assert device.reporting_interval_minutes == 24 * 60
    completeness = ind("online.completeness", 5, window_days=30, min_ratio=0.9)
    at = DAY + 12 * HOUR
    assert points(out.enterprise, completeness, at=at) == [0]  # 3 days of data, 2 owed since its first packet
    cycle(at)  # 11.5 hours after its last packet: a daily logger is not missing
    assert not Alert.objects.filter(rule=Rule.MISSING_DATA).exists()
    later = DAY + 3 * 24 * HOUR + HOUR  # two days without the daily packet
    assert points(out.enterprise, completeness, at=later) == [5]  # 3 of 5 days
    cycle(later)
    assert Alert.objects.get(rule=Rule.MISSING_DATA).outlet == out
