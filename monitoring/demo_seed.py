"""Extends the demo county with monitoring: a data logger (MN code) on every online-monitored outlet,
an air-quality station at every township seat and dust stations, yesterday's hourly data and the last
hours of minute data stored through the real ingestion path (one station's particulates jump in the
last half hour), so the demo opens with live values; ``alerts.demo_seed`` then evaluates the warnings
they cause. Values scatter around plausible shares of each limit (pH around 7.4 in its 6–9 range); a
few outlets exceed one of their limits (yesterday's daily averages and the last hour: recorded
exceedances, and early warnings now), a few run near one limit (pH near its upper bound among them),
one in a hundred has a stuck analyser, a silent logger or a faulty instrument; their other pollutants
read normal."""
import datetime as dt

from django.db.models import F

from core import clock
from enterprises.models import Outlet, PermitLimit, Pollutant, Township

from . import hj212
from .hj212 import ParsedReading
from .models import Device, Station
from .services import aggregate_partitions, partitions
from .services.ingest import Unit, store

HISTORY = dt.timedelta(hours=2)
# A stuck slow analyser (COD, ammonia: a 2-hour measuring cycle) is a flat line only after three cycles
# (the warning rules' window), so the flat outlets' loggers have sent for longer.
FLAT_HISTORY = dt.timedelta(hours=6, minutes=40)
STATION_HISTORY = dt.timedelta(hours=8)  # source tracing compares an hour with the hours before it
STEP = dt.timedelta(minutes=10)
STATION_CODES = ("a34004", "a34002", "a21026", "a21002", "a01007", "a01008")
# Share of online outlets in each demo behaviour; the rest report normal values.
BEHAVIOUR = (("exceeding", 0.02), ("near_limit", 0.03), ("flat", 0.01), ("silent", 0.01), ("faulty", 0.01))


def _behaviours(rng, n: int) -> list[str]:
    """Each outlet's behaviour: every behaviour on its share of the ``n`` outlets, rounded (so a county of
    90 online outlets has each, whatever the date of its seed), on outlets chosen by one draw each."""
    rolls = [rng.random() for _ in range(n)]
    out, taken = ["normal"] * n, 0
    by_roll = sorted(range(n), key=rolls.__getitem__)
    for name, share in BEHAVIOUR:
        count = round(n * share)
        for index in by_roll[taken:taken + count]:
            out[index] = name
        taken += count
    return out


def _outlet_value(rng, behaviour: str, limit: float, lower: float | None, step: int,
                  concerned: bool = True) -> tuple[float, str]:
    """A value and flag of one pollutant of an outlet of ``behaviour``. An exceeding, near-limit or flat
    outlet is so on one pollutant (``concerned``), as a real outlet is; its others read normal. The draws
    from ``rng`` are the same whatever the behaviour (the county's later hooks share it)."""
    if lower is not None:  # pH: around the middle of its range, near its upper bound, or acid
        if behaviour == "exceeding":
            drawn = rng.uniform(4.5, 5.5)
            return round(drawn if concerned else 7.4 + (drawn - 5.0) / 2, 2), "N"
        drawn = rng.gauss(7.4, 0.25)
        if concerned and behaviour == "near_limit":
            return round(8.45 + min(0.4, abs(drawn - 7.4)), 2), "N"
        return (7.4 if concerned and behaviour == "flat" else round(drawn, 2)), "N"
    exceeding, near, normal = rng.uniform(1.15, 1.6), rng.uniform(0.82, 0.95), rng.uniform(0.2, 0.65)
    share = {"exceeding": exceeding, "near_limit": near, "flat": 0.37}.get(behaviour, normal) if concerned else normal
    flag = "D" if behaviour == "faulty" and step >= 6 else "N"
    return round(limit * share, 3), flag


def _concerned(device: Device, limits: list[tuple[int, str, float, float | None]]) -> int | None:
    """The pollutant an outlet's behaviour concerns: one of its limits, by the outlet (no draw)."""
    ids = sorted(pollutant_id for pollutant_id, *_ in limits)
    return ids[device.outlet_id % len(ids)] if ids else None


def extend(county) -> dict:
    partitions.create_ahead()  # as beat keeps them (PostgreSQL)
    aggregate_partitions.create_ahead()
    rng = county.rng
    now = clock.now().replace(second=0, microsecond=0)
    end = now - dt.timedelta(minutes=now.minute % 10)
    times = [end - STEP * k for k in range(int(HISTORY / STEP), -1, -1)]
    flat_times = [end - STEP * k for k in range(int(FLAT_HISTORY / STEP), -1, -1)]

    outlets = list(Outlet.objects.filter(online_monitored=True).order_by("pk"))
    devices = Device.objects.bulk_create([Device(mn=f"3304831{o.pk:017d}", outlet=o) for o in outlets])
    towns = list(Township.objects.order_by("code"))
    stations = [Station(code=f"AQ{t.code[-3:]}", name=f"{t.name}空气自动站", kind=Station.Kind.AIR_QUALITY, township=t,
                        latitude=t.latitude + 0.004, longitude=t.longitude - 0.004) for t in towns]
    stations += [Station(code=f"DS{t.code[-3:]}", name=f"{t.name}扬尘监测点", kind=Station.Kind.DUST, township=t,
                         latitude=t.latitude - 0.01, longitude=t.longitude + 0.012) for t in towns[::3]]
    Station.objects.bulk_create(stations)
    station_devices = Device.objects.bulk_create([Device(mn=f"3304839{s.pk:017d}", station=s) for s in stations])

    limits: dict[int, list[tuple[int, str, float, float | None]]] = {}
    for outlet_id, pollutant_id, code, value, lower in PermitLimit.objects.filter(
            outlet__online_monitored=True, outlet__monitoring_duties__method="online",
            outlet__monitoring_duties__pollutant=F("pollutant")).values_list(
            "outlet_id", "pollutant_id", "pollutant__code", "limit_value", "lower_limit").distinct():
        limits.setdefault(outlet_id,
                          []).append((pollutant_id, code, float(value), None if lower is None else float(lower)))
    behaviours = _behaviours(rng, len(devices))
    today = now.astimezone(hj212.DEFAULT_TZ).replace(hour=0, minute=0, second=0, microsecond=0)
    yesterday = [today - dt.timedelta(hours=h) for h in range(24, 0, -1)]
    units, silent = [], []  # a silent logger's last packet came 75 minutes ago
    for device, behaviour in zip(devices, behaviours):
        concerned = _concerned(device, limits.get(device.outlet_id, []))
        hourly = [(pollutant_id, ParsedReading(code=code, kind="hour", observed_at=at, flag="N",
                                               avg=_outlet_value(rng, behaviour, limit, lower, 0,
                                                                 pollutant_id == concerned)[0]))
                  for at in yesterday for pollutant_id, code, limit, lower in limits.get(device.outlet_id, [])
                  if behaviour != "silent"]
        if hourly:
            units.append(Unit(device=device, readings=hourly))
        readings = []
        for step, at in enumerate(flat_times if behaviour == "flat" else times):
            if behaviour == "silent" and at > now - dt.timedelta(minutes=75):
                break
            for pollutant_id, code, limit, lower in limits.get(device.outlet_id, []):
                value, flag = _outlet_value(rng, behaviour, limit, lower, step, pollutant_id == concerned)
                readings.append((pollutant_id, ParsedReading(code=code, kind="minute", observed_at=at, flag=flag,
                                                             avg=value, min=value, max=value)))
        if readings:
            (silent if behaviour == "silent" else units).append(Unit(device=device, readings=readings))
    codes = dict(Pollutant.objects.filter(code__in=STATION_CODES).values_list("code", "pk"))
    wind_from = rng.uniform(0, 360)
    station_times = [end - STEP * k for k in range(int(STATION_HISTORY / STEP), -1, -1)]
    for n, device in enumerate(station_devices):
        readings = []
        for at in station_times:
            # The first station's particulates jump in the last half hour, for source tracing to explain.
            surge = 3.0 if n == 0 and at > now - dt.timedelta(minutes=30) else 1.0
            values = {"a34004": rng.uniform(20, 60) * surge, "a34002": rng.uniform(40, 90) * surge,
                      "a21026": rng.uniform(5, 15), "a21002": rng.uniform(15, 45), "a01007": rng.uniform(1.5, 4.0),
                      "a01008": (wind_from + rng.uniform(-25, 25)) % 360}
            readings += [(codes[c], ParsedReading(code=c, kind="minute", observed_at=at, avg=round(v, 2)))
                         for c, v in values.items()]
        units.append(Unit(device=device, readings=readings))
    stored = 0
    for i in range(0, len(units), 500):
        stored += store(units[i:i + 500], [], now=now).stored
    stored += store(silent, [], now=now - dt.timedelta(minutes=75)).stored
    return {"monitoring devices": len(devices) + len(station_devices), "stations": len(stations),
            "readings": stored}

