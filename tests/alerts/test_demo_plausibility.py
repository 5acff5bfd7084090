"""The demo county's warnings are plausible, read back from the readings and through the pages.

A small county is seeded through ``seed_demo`` (its data go through the real ingestion path and its own
warning cycle runs), then one more cycle runs through ``manage.py evaluate_alerts``. Each warning is then
checked against the readings it came from, recomputed here without the platform's aggregates:

* a near-limit warning's value is near the bound it names (a two-sided range such as pH 6–9 against the
  nearer bound, within ``1 − share`` of the range's width; a one-sided limit at or above ``share`` of it);
* an exceedance is over its limit (or on course to be) on the limit's own averaging period, and the value
  shown is that period's value so far; a recorded exceedance of a completed period is over its limit;
* the share of warnings per rule is what a county has: a few real exceedances, no rule making most of
  the warnings (a demo whose warnings are mostly false or of one kind hides bugs);
* the pages show each value with its unit and the pollutant by its Chinese name, never its code.
"""
import datetime as dt
from collections import Counter
from statistics import fmean

import pytest
from django.core.management import call_command
from django.urls import reverse

from alerts.models import OPEN_STATES, Alert, AlertSettings, Exceedance, Rule
from alerts.limit_windows import LENGTH, WINDOW
from enterprises import pollutant_values
from enterprises.models import PermitLimit, Role, User
from monitoring.models import Reading
from monitoring.services.ingest import KIND_RANK

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

ENTERPRISES = 300  # about 90 online-monitored outlets: every behaviour of the demo shows up
TOLERANCE = 1e-6


def window_values(alert_or_row, start: dt.datetime, end: dt.datetime) -> list[tuple[float, float, float]]:
    """(average, min, max) of each valid reading of the window, of the best data kind sent for it (a
    window never mixes kinds), straight from the readings table."""
    rows = list(Reading.objects.filter(outlet_id=alert_or_row.outlet_id, pollutant_id=alert_or_row.pollutant_id,
                                       observed_at__gte=start, observed_at__lt=end, flag="N", value__isnull=False)
                .values_list("kind", "value", "min", "max"))
    best = max((KIND_RANK.get(kind, 0) for kind, *_ in rows), default=0)
    return [(value, low if low is not None else value, high if high is not None else value)
            for kind, value, low, high in rows if KIND_RANK.get(kind, 0) == best]


def is_over(value: float, limit: float, lower: float | None) -> bool:
    return value > limit + TOLERANCE or (lower is not None and value < lower - TOLERANCE)


def test_demo_warnings_are_plausible(client):
    call_command("seed_demo", enterprises=ENTERPRISES, seed=2026, no_progress=True)
    call_command("evaluate_alerts")  # one more cycle of the real path, after the demo's own
    alerts = list(Alert.objects.filter(state__in=OPEN_STATES).select_related("pollutant", "outlet"))
    check_near_limit(alerts)
    check_exceedances(alerts)
    check_recorded_exceedances()
    check_shares(alerts)
    check_pages(client, alerts)


def check_near_limit(alerts):
    share = float(AlertSettings.current().near_limit_share)
    near = [a for a in alerts if a.rule == Rule.NEAR_LIMIT]
    assert near
    for alert in near:
        limit, lower = alert.evidence["limit"], alert.evidence["lower_limit"]
        assert not is_over(alert.value, limit, lower), alert.evidence
        if lower is None:
            assert alert.limit_value == limit and alert.value >= share * limit - TOLERANCE, alert.evidence
            continue
        nearer = lower if alert.value - lower < limit - alert.value else limit
        assert alert.limit_value == nearer, alert.evidence  # judged against the nearer bound
        assert abs(alert.value - nearer) <= (limit - lower) * (1 - share) + TOLERANCE, alert.evidence


def check_exceedances(alerts):
    exceedances = [a for a in alerts if a.rule == Rule.EXCEEDANCE]
    assert exceedances
    periods = {(l.outlet_id, l.pollutant_id): l.averaging_period for l in PermitLimit.objects.all()}
    for alert in exceedances:
        ev = alert.evidence
        period = periods[(alert.outlet_id, alert.pollutant_id)]
        start, end = dt.datetime.fromisoformat(ev["window_start"]), dt.datetime.fromisoformat(ev["window_end"])
        assert ev["averaging_period"] == period and end - start == LENGTH[WINDOW[period]], ev
        values = window_values(alert, start, end)
        assert len(values) == ev["valid_readings"], ev
        average = fmean(v for v, _, _ in values)
        assert ev["average"] == pytest.approx(average, rel=1e-6), ev
        if period == "instant":  # any valid value of the half-hour past a bound
            worst = min(low for _, low, _ in values) if alert.value < alert.limit_value else \
                max(high for _, _, high in values)
            assert alert.value == pytest.approx(worst) and is_over(worst, ev["limit"], ev["lower_limit"]), ev
            assert "projected" not in ev, ev  # an instantaneous limit has no period average to project
            continue
        assert alert.value == pytest.approx(average), ev  # the value shown is the period's average so far
        assert is_over(average, ev["limit"], ev["lower_limit"]) \
            or is_over(ev.get("projected", average), ev["limit"], ev["lower_limit"]), ev


def check_recorded_exceedances():
    recorded = list(Exceedance.objects.all())
    assert 1 <= len(recorded)
    for row in recorded:
        values = window_values(row, row.start, row.end)
        if row.averaging_period == "instant":
            worst = [low for _, low, _ in values] + [high for _, _, high in values]
            assert any(is_over(v, row.limit_value, row.lower_limit) for v in worst)
            continue
        assert row.end - row.start == LENGTH[WINDOW[row.averaging_period]]
        assert row.value == pytest.approx(fmean(v for v, _, _ in values), rel=1e-6)
        limit = row.limit_value if row.lower_limit is None or row.value > row.limit_value else None
        assert row.value > limit if limit is not None else row.value < row.lower_limit


def check_shares(alerts):
    """The demo's outlets: 2% exceed (one pollutant each), 3% run near one limit, 1% each are flat, silent
    or faulty. Exceedances and near-limit warnings are each a minority of all warnings, and every rule is
    there."""
    shares = Counter(a.rule for a in alerts)
    total = sum(shares.values())
    assert set(shares) == set(Rule.values), shares
    for rule, count in shares.items():
        assert count / total <= 0.5, shares
    assert shares[Rule.EXCEEDANCE] / total >= 0.1 and shares[Rule.NEAR_LIMIT] / total >= 0.1, shares
    assert not [a for a in alerts if a.rule == Rule.NEAR_LIMIT and a.pollutant.code == "w01001"
                and 6.6 < a.value < 8.4], "pH in the middle of 6–9 is nowhere near a bound"


def check_pages(client, alerts):
    bureau = User.objects.filter(role=Role.BUREAU, is_active=True).exclude(username="admin").order_by("pk").first()
    User.objects.filter(pk=bureau.pk).update(must_change_password=False)  # as after the first login
    client.force_login(bureau)
    listing = client.get(reverse("alerts:alert-list")).text
    for alert in [a for a in alerts if a.value is not None][:50]:
        text = pollutant_values.value_text(alert.value, alert.pollutant, alert.unit)
        assert alert.pollutant.name in listing and text in listing, text
        detail = client.get(reverse("alerts:alert-detail", args=[alert.pk])).text
        limit = pollutant_values.value_text(alert.limit_value, alert.pollutant, alert.unit)
        assert alert.pollutant.name in detail and text in detail and limit in detail, (text, limit)
        assert alert.pollutant.code not in detail
        if alert.unit:
            assert alert.unit in text
        projected = alert.evidence.get("projected")
        on_course = "按当前趋势" in detail
        assert on_course == (alert.rule == Rule.EXCEEDANCE and projected is not None
                             and not is_over(alert.value, alert.evidence["limit"], alert.evidence["lower_limit"])
                             and is_over(projected, alert.evidence["limit"], alert.evidence["lower_limit"])), \
            alert.evidence
