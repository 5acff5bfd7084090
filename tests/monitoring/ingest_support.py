"""Helpers for the ingestion tests: a device on an outlet, HJ 212 data frames, reading counts."""
import datetime as dt
import itertools
from zoneinfo import ZoneInfo

from monitoring import hj212
from monitoring.models import Device, Reading, Station
from tests import factories

TZ = ZoneInfo("Asia/Shanghai")
_seq = itertools.count(1)


def device(outlet=None, **fields) -> Device:
    """A 2017 device on a new water outlet (limit COD 100, NH3-N 15) unless ``outlet`` is given."""
    if outlet is None and "station" not in fields:
        outlet = factories.outlet(factories.permit(factories.enterprise()), limits={"w01018": 100, "w21003": 15})
    mn = fields.pop("mn", f"33048300000000000000{next(_seq):04d}")
    fields.setdefault("password", "123456")  # the PW of data_frame()
    return Device.objects.create(mn=mn, outlet=outlet, **fields)


def station(**fields) -> Station:
    n = next(_seq)
    defaults = dict(code=f"S{n:04d}", name=f"监测站{n}", township=factories.township(), latitude=30.6,
                    longitude=120.5)
    defaults.update(fields)
    return Station.objects.create(**defaults)


def data_frame(mn: str, when: dt.datetime, items: dict, *, cn: str = "2011", flag: int | None = 5,
               qn: str | None = None, pw: str = "123456") -> bytes:
    """A framed upload, e.g. ``data_frame(mn, when, {"w01018": {"Rtd": 20.5, "Flag": "N"}})``."""
    qn = qn or f"{when:%Y%m%d%H%M%S}{next(_seq) % 1000:03d}"
    return hj212.build_frame(hj212.data_segment(cn=cn, mn=mn, qn=qn, pw=pw, flag=flag,
                                                cp=hj212.data_cp(when.astimezone(TZ), items)))


def frames(*raw: bytes) -> list:
    reader = hj212.FrameReader()
    out = []
    for chunk in raw:
        out += reader.feed(chunk)
    return out


def readings_of(dev: Device):
    return Reading.objects.filter(device=dev).order_by("observed_at", "pollutant__code")
