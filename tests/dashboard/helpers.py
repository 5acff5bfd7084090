"""A small hand-built county for the dashboard tests: two townships with enterprises of known colours,
classes, industries and warnings."""
import datetime as dt

from django.utils import timezone

from alerts.models import Alert
from ecocode.models import EcoCode
from enterprises.models import Industry, Role
from monitoring.models import Device
from tests import factories as f

NOW = timezone.make_aware(dt.datetime(2026, 3, 10, 12, 0))


def coloured(town, colour, *, lat=30.05, lon=120.05, industry="C1713", klass="key", **fields):
    ent = f.enterprise(town, latitude=lat, longitude=lon, industry=Industry.objects.get(code=industry),
                       management_class=klass, **fields)
    if colour:
        EcoCode.objects.create(enterprise=ent, colour=colour, score=80, scored_at=NOW)
    return ent


def open_alert(ent, *, code="DW001", pollutant="w01018", at=NOW, **fields):
    perm = ent.permits.first() or f.permit(ent)
    out = perm.outlets.filter(code=code).first() or f.outlet(perm, code, limits={pollutant: 100})
    defaults = dict(rule="exceedance", state="notified", opened_at=at, last_seen_at=at, value=150, limit_value=100)
    defaults.update(fields)
    return Alert.objects.create(outlet=out, enterprise=ent, pollutant_id=out.limits.first().pollutant_id, **defaults)


def station_device(station):
    return Device.objects.create(mn=f"ST{station.pk:010d}", station=station)


def county():
    """Township A: green key C1713, red simplified C2614 with an open warning, unscored registration;
    township B: orange key C1713, blue key C3360. Returns a dict of names to objects."""
    a, b = f.township("甲镇"), f.township("乙镇")
    c = {"a": a, "b": b}
    c["a_green"] = coloured(a, "green", lat=30.01, lon=120.01)
    c["a_red"] = coloured(a, "red", lat=30.02, lon=120.02, industry="C2614", klass="simplified")
    c["a_none"] = coloured(a, "", lat=30.03, lon=120.03, klass="registration")
    c["b_orange"] = coloured(b, "orange", lat=30.06, lon=120.06)
    c["b_blue"] = coloured(b, "blue", lat=30.07, lon=120.07, industry="C3360")
    c["alert"] = open_alert(c["a_red"])
    c["bureau"] = f.user(Role.BUREAU)
    c["officer_a"] = f.user(Role.TOWNSHIP, township=a)
    c["ent_user"] = f.user(Role.ENTERPRISE, enterprise=c["a_green"])
    return c
