"""The reading and aggregate tables without database foreign keys: partitions and windows carry no FK
constraints or triggers, ingestion stores only what it validated (exactly once), and what readings and
windows point to cannot be deleted."""
import datetime as dt

import pytest
from django.db import connection, transaction
from django.db.models import ProtectedError

from core import clock
from monitoring.models import Aggregate, Device, IngestRejection, Reading
from monitoring.services import ingest, partitions
from tests import factories
from tests.monitoring.ingest_support import TZ, data_frame, device, frames, station

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2025, 3, 1, 12, 0, tzinfo=TZ)
T0 = dt.datetime(2025, 3, 1, 10, 0, tzinfo=TZ)


def run(*raw: bytes):
    with clock.frozen(NOW):
        return ingest.ingest_frames(frames(*raw), source="test")


def test_partitions_have_no_foreign_keys_or_triggers():
    partitions.ensure_partitions([T0.date()])
    with connection.cursor() as cur:
        cur.execute("SELECT c.relname FROM pg_class c WHERE c.relname LIKE 'monitoring_reading%%' AND c.relkind IN "
                    "('r', 'p')")
        tables = [row[0] for row in cur.fetchall()]
        cur.execute("SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND conrelid::regclass::text = ANY(%s)",
                    [tables])
        foreign_keys = cur.fetchone()[0]
        cur.execute("SELECT count(*) FROM pg_trigger WHERE tgrelid::regclass::text = ANY(%s)", [tables])
        triggers = cur.fetchone()[0]
    assert {"monitoring_reading", partitions.DEFAULT, partitions.partition_name(T0.date())} <= set(tables)
    assert (foreign_keys, triggers) == (0, 0)
    partitions.forget_known_days()


def test_only_validated_readings_are_stored_once_with_the_devices_outlet_and_station():
    on_outlet, on_station = device(), device(station=station())
    inactive = device(is_active=False)
    frame = data_frame(on_outlet.mn, T0, {"w01018": {"Rtd": 20.5}, "w21003": {"Rtd": 1.25}})
    outcomes = run(frame, frame, data_frame(on_station.mn, T0, {"a21026": {"Rtd": 30}}),
                   data_frame(inactive.mn, T0, {"w01018": {"Rtd": 9}}),
                   data_frame("UNKNOWN00000000000000001", T0, {"w01018": {"Rtd": 9}}))
    assert [(o.accepted, o.stored) for o in outcomes] == [(True, 2), (True, 0), (True, 1), (False, 0), (False, 0)]
    assert sorted(Reading.objects.values_list("device_id", "outlet_id", "station_id")) == sorted([
        (on_outlet.pk, on_outlet.outlet_id, None), (on_outlet.pk, on_outlet.outlet_id, None),
        (on_station.pk, None, on_station.station_id)])
    assert set(IngestRejection.objects.values_list("reason", flat=True)) == {"inactive", "unknown_mn"}
    run(frame)  # a resend in a later batch stores nothing
    assert Reading.objects.count() == 3


def test_what_readings_point_to_cannot_be_deleted():
    dev, idle = device(), device()
    run(data_frame(dev.mn, T0, {"w01018": {"Rtd": 20.5}}))
    with pytest.raises(ProtectedError), transaction.atomic():
        dev.delete()
    with pytest.raises(ProtectedError), transaction.atomic():
        Device.objects.filter(pk=dev.pk).delete()
    # the device moves to a renewed permit's outlet: the old outlet keeps its readings and cannot go
    old = dev.outlet
    dev.outlet = factories.outlet(factories.permit(old.permit.enterprise))
    dev.save()
    with pytest.raises(ProtectedError), transaction.atomic():
        old.delete()
    on_station = device(station=station())
    run(data_frame(on_station.mn, T0, {"a21026": {"Rtd": 30}}))
    with pytest.raises(ProtectedError), transaction.atomic():
        on_station.station.delete()
    assert Reading.objects.count() == 2
    idle.delete()  # a device that never stored a reading may go, and so may its outlet
    idle.outlet.delete()
    assert not Device.objects.filter(pk=idle.pk).exists()


def test_windows_carry_no_foreign_keys_and_still_protect_their_outlet():
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM pg_constraint WHERE contype = 'f'"
                    " AND conrelid = 'monitoring_aggregate'::regclass")
        assert cur.fetchone()[0] == 0
    dev = device()
    run(data_frame(dev.mn, T0, {"w01018": {"Rtd": 20.5}}))
    assert sorted(Aggregate.objects.filter(outlet=dev.outlet).values_list("period", flat=True)) == [
        "day", "half_hour", "hour"]
    old = dev.outlet
    dev.outlet = factories.outlet(factories.permit(old.permit.enterprise))
    dev.save()
    with pytest.raises(ProtectedError), transaction.atomic():  # its windows name it, even with no readings left
        Reading.objects.all().delete()
        old.delete()
    assert Aggregate.objects.filter(outlet=old).count() == 3
