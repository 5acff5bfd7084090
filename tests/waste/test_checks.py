"""The six transfer warnings, each from a shipment whose positions came in through the REST upload:
a clean shipment raises nothing, each fault exactly one warning of its kind; and the lifecycle
(notify producer and township, escalate to a work order, resolve once the gap is filled)."""
import datetime as dt

import pytest

from alerts.models import AlertSettings
from core import clock
from dispatch.models import WorkOrder
from notifications.models import Notification
from waste.models import TransferSettings, WasteAlert, WasteAlertState, WasteRule
from waste.services.alerts import transfers_check

from .support import RECEIVER_AT, T0, draft, ship, track, upload, world

pytestmark = pytest.mark.django_db
NOW = T0 + dt.timedelta(minutes=50)


@pytest.fixture
def w():
    with clock.frozen(NOW):
        yield world()


def rules() -> list[str]:
    return sorted(WasteAlert.objects.values_list("rule", flat=True))


def check(at=NOW):
    with clock.frozen(at):
        return transfers_check(at)


def test_a_complete_shipment_raises_nothing(w):
    with clock.frozen(NOW):
        ship(w, draft(w))
    result = check()
    assert result.checked == 1
    assert rules() == []
    check(NOW + dt.timedelta(minutes=5))
    assert rules() == []


def test_a_gap_raises_one_missing_trajectory(w):
    rows = [r for i, r in enumerate(track()) if not 10 < i < 30]  # 20 minutes without a position
    with clock.frozen(NOW):
        ship(w, draft(w), rows=rows)
    check()
    check(NOW + dt.timedelta(minutes=5))
    assert rules() == [WasteRule.TRAJECTORY_MISSING]
    alert = WasteAlert.objects.get()
    assert alert.evidence["longest_gap_minutes"] == 20
    assert alert.evidence["gap_from"].startswith((T0 + dt.timedelta(minutes=10)).astimezone(dt.UTC).isoformat()[:16])


def test_no_position_at_all_is_a_missing_trajectory(w):
    with clock.frozen(NOW):
        manifest = ship(w, draft(w), rows=track(start=T0 - dt.timedelta(days=2)))  # another day's positions
    check()
    assert rules() == [WasteRule.TRAJECTORY_MISSING]
    assert WasteAlert.objects.get().evidence["points"] == 0
    assert manifest.state == "received"


def test_a_deviation_raises_one_route_deviation(w):
    rows = track()
    for row in rows[12:20]:
        row["latitude"] = round(row["latitude"] + 0.06, 6)  # ~6.6 km north of the straight line and back
        row["longitude"] = round(row["longitude"] - 0.06, 6)
    with clock.frozen(NOW):
        ship(w, draft(w), rows=rows)
    check()
    assert rules() == [WasteRule.ROUTE_DEVIATION]
    far = WasteAlert.objects.get().evidence["farthest"]
    assert far["km"] > 5 and far["corridor_km"] == 5.0


def test_a_long_stop_away_from_both_sites_is_a_deviation(w):
    rows = track()
    for row in rows[10:36]:  # 25 minutes standing at the 10-minute point, then on (still one per minute)
        row.update(latitude=rows[10]["latitude"], longitude=rows[10]["longitude"], speed=0)
    TransferSettings.objects.update_or_create(pk=1, defaults={"stop_minutes": 20})
    with clock.frozen(NOW):
        ship(w, draft(w), rows=rows)
    check()
    assert rules() == [WasteRule.ROUTE_DEVIATION]
    stop = WasteAlert.objects.get().evidence["stop"]
    assert stop["minutes"] == 25 and "farthest" not in WasteAlert.objects.get().evidence


def test_standing_at_the_receiver_is_not_a_stop(w):
    rows = track()
    for row in rows[30:]:  # the last 10 minutes unloading at the plant
        row.update(latitude=RECEIVER_AT[0], longitude=RECEIVER_AT[1], speed=0)
    TransferSettings.objects.update_or_create(pk=1, defaults={"stop_minutes": 5})
    with clock.frozen(NOW):
        ship(w, draft(w), rows=rows)
    check()
    assert rules() == []


def test_a_quantity_mismatch_raises_one_warning(w):
    with clock.frozen(NOW):
        ship(w, draft(w), received="9.200")  # 8 % short, tolerance 5 %
    check()
    assert rules() == [WasteRule.QUANTITY_MISMATCH]
    assert WasteAlert.objects.get().evidence == {"shipped": "10.000", "received": "9.200", "unit": "t",
                                                 "tolerance": "0.050"}


def test_within_the_tolerance_is_no_mismatch(w):
    with clock.frozen(NOW):
        ship(w, draft(w), received="9.600")
    check()
    assert rules() == []


def test_an_unpermitted_receiver_raises_one_warning(w):
    with clock.frozen(NOW):
        manifest = draft(w)
        w.permit.revoked_on = T0.date()  # revoked on the morning the truck left
        w.permit.save()
        ship(w, manifest)
    check()
    assert rules() == [WasteRule.RECEIVER_NOT_PERMITTED]


def test_drafting_to_an_unpermitted_receiver_is_refused(w):
    from django.core.exceptions import ValidationError

    from waste.models import WasteCategory

    with clock.frozen(NOW), pytest.raises(ValidationError) as exc:
        draft(w, category=WasteCategory.objects.get(code="900-249-08"))
    assert "receiver" in exc.value.message_dict


def test_a_late_arrival_raises_one_overdue_warning(w):
    with clock.frozen(NOW):
        ship(w, draft(w, planned_departure=T0 - dt.timedelta(hours=3), planned_arrival=T0 - dt.timedelta(hours=1)))
    check()
    assert rules() == [WasteRule.OVERDUE_ARRIVAL]
    assert WasteAlert.objects.get().evidence["late_minutes"] == 100


def test_a_truck_still_on_the_road_after_the_plan_is_overdue(w):
    later = T0 + dt.timedelta(hours=3)
    with clock.frozen(later):
        manifest = draft(w, planned_arrival=T0 + dt.timedelta(minutes=30))
        ship(w, manifest, rows=track(minutes=180), arrive_after=None)
        check(later)
    assert rules() == [WasteRule.OVERDUE_ARRIVAL]


def test_a_refusal_raises_one_warning(w):
    with clock.frozen(NOW):
        ship(w, draft(w), refuse="车辆运输轨迹缺失，拒收")
    check()
    assert rules() == [WasteRule.REFUSED]


def test_the_warning_lives_like_a_monitoring_warning(w):
    """Notified to the producer and the township at once, escalated to a work order, resolved when the
    missing positions are uploaded (the reference case: the township made the company correct it)."""
    full = track()
    with clock.frozen(NOW):
        ship(w, draft(w), rows=[r for i, r in enumerate(full) if not 10 < i < 30])
    check()
    alert = WasteAlert.objects.get()
    assert alert.state == WasteAlertState.NOTIFIED
    notes = Notification.objects.filter(source=alert.source_ref)
    assert {(n.enterprise_id, n.user_id) for n in notes} == {(w.producer.pk, None), (None, w.officer.pk)}
    assert "运输轨迹缺失" in notes.first().subject

    cfg = AlertSettings.current()  # the monitoring warnings' timings
    check(NOW + cfg.escalate_after)
    alert.refresh_from_db()
    assert alert.is_alarm and alert.work_order is not None
    order = WorkOrder.objects.get(source_ref=alert.source_ref)
    assert order.enterprise_id == w.producer.pk and "轨迹缺失" in order.title

    fixed_at = NOW + cfg.escalate_after + dt.timedelta(minutes=5)
    with clock.frozen(fixed_at):
        assert upload(w.carrier_user, full).json()["stored"] == 19  # the missing ones, nothing twice
    check(fixed_at)
    check(fixed_at + cfg.resolve_hold)
    alert.refresh_from_db()
    assert alert.state == WasteAlertState.RESOLVED
    assert Notification.objects.filter(source=alert.source_ref, subject__startswith="【已恢复】").count() == 2
    assert WasteAlert.objects.count() == 1


def test_points_are_linked_by_vehicle_and_time_window(w):
    """Another vehicle's positions, or this vehicle's before the departure, do not fill the window."""
    from waste.models import Vehicle

    other = Vehicle.objects.create(plate="浙F99999", carrier=w.carrier)
    rows = [{**r, "plate": other.plate} for r in track()]
    with clock.frozen(NOW):
        ship(w, draft(w), rows=rows)
    check()
    assert rules() == [WasteRule.TRAJECTORY_MISSING]
