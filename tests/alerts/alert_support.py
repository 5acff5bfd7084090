"""Builders for the warning tests: an outlet with a device, half-hour aggregates and flagged readings."""
import itertools
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from enterprises.models import PermitLimit, Pollutant
from monitoring.models import Aggregate, DataKind, Device, Reading
from tests import factories as f

TZ = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 3, 2, 10, 5, tzinfo=TZ)  # 5 minutes after a half-hour boundary
MIN = timedelta(minutes=1)
HALF = timedelta(minutes=30)
_mn = itertools.count(1)


def site(town=None, limits=None, ph=False, period="half_hour"):
    """An enterprise with one online-monitored water outlet (COD ≤ 100, NH3-N ≤ 15, half-hour averages
    unless ``period`` says otherwise) and an active device."""
    ent = f.enterprise(town)
    out = f.outlet(f.permit(ent), limits=limits or {"w01018": 100, "w21003": 15})
    out.limits.update(averaging_period=period)
    if ph:
        PermitLimit.objects.create(outlet=out, pollutant=Pollutant.objects.get(code="w01001"),
                                   limit_value=Decimal("9"), lower_limit=Decimal("6"), averaging_period=period)
    device = Device.objects.create(mn=f"MN{next(_mn):022d}", outlet=out, last_seen_at=T0)
    return out, device


def half_hour(out, code, start, avg, *, low=None, high=None, count=30, valid=30):
    """Store (or replace) the half-hour aggregate of ``code`` at ``out`` starting at ``start``."""
    pol = Pollutant.objects.get(code=code)
    values = dict(count=count, valid_count=valid, sum=(avg or 0) * valid, avg=avg if valid else None,
                  min=low if low is not None else avg, max=high if high is not None else avg, updated_at=start + HALF)
    Aggregate.objects.update_or_create(outlet=out, pollutant=pol, period="half_hour", start=start, defaults=values)


def window_start(at):
    """Start of the last complete half-hour at ``at``."""
    return at.replace(minute=at.minute - at.minute % 30, second=0, microsecond=0) - HALF


def flagged(device, code, at, flag, value=0.0):
    """A flagged minute reading plus its half-hour aggregate (count above valid_count)."""
    pol = Pollutant.objects.get(code=code)
    Reading.objects.create(device=device, pollutant=pol, kind=DataKind.MINUTE, observed_at=at, outlet=device.outlet,
                           value=value, flag=flag, received_at=at)
    start = at.replace(minute=at.minute - at.minute % 30, second=0, microsecond=0)
    agg, _ = Aggregate.objects.get_or_create(outlet=device.outlet, pollutant=pol, period="half_hour", start=start,
                                             defaults={"updated_at": at})
    agg.count += 1
    agg.save(update_fields=["count"])


def seen(device, at):
    Device.objects.filter(pk=device.pk).update(last_seen_at=at)
