"""Reads of the eco-code for pages, the dashboard and other apps.

Other apps read the consequences of a colour here (``consequences``, ``consequence_for``): inspection
frequency, penalty discretion factor, green-subsidy eligibility and warning-only measures.
"""
import datetime as dt

from django.db.models import Count, Max, OuterRef, QuerySet, Subquery

from core import clock
from enterprises import jurisdiction
from enterprises.models import Enterprise, Permit, PermitLimit, TreatmentFacility
from monitoring.models import Aggregate, Device

from .models import ColourBand, ColourChange, EcoCode, Score

LIVE_WITHIN = dt.timedelta(hours=2)


def current_colours(user) -> dict[str, int]:
    """How many of the enterprises ``user`` may see have each colour ("" = not yet scored)."""
    rows = jurisdiction.restrict(EcoCode.objects.all(), user).values("colour").annotate(n=Count("pk"))
    return {r["colour"]: r["n"] for r in rows.order_by()}


def recent_colour_changes(user, since: dt.datetime | None = None) -> QuerySet:
    """Colour changes (not first colours) of visible enterprises, newest first."""
    qs = jurisdiction.restrict(ColourChange.objects.exclude(from_colour=""), user).select_related("enterprise")
    return qs.filter(changed_at__gte=since) if since else qs


def colours_of(enterprise_ids) -> dict[int, str]:
    """Current colour per enterprise id (for maps and lists of other apps)."""
    return dict(EcoCode.objects.filter(enterprise_id__in=enterprise_ids).values_list("enterprise_id", "colour"))


def consequences() -> dict[str, ColourBand]:
    """The colour bands by colour."""
    return {band.colour: band for band in ColourBand.objects.all()}


def consequence_for(enterprise: Enterprise) -> ColourBand | None:
    """The consequences that apply to ``enterprise`` now (None until it is scored)."""
    colour = EcoCode.objects.filter(enterprise=enterprise).values_list("colour", flat=True).first()
    return ColourBand.objects.filter(colour=colour).first() if colour else None


def score_history(enterprise: Enterprise, limit: int = 30) -> list[Score]:
    return list(Score.objects.filter(enterprise=enterprise).select_related("catalogue_version")
                .order_by("-computed_at", "-id")[:limit])


def colour_history(enterprise: Enterprise) -> QuerySet:
    return ColourChange.objects.filter(enterprise=enterprise).order_by("-changed_at", "-id")


def outlet_status(enterprise: Enterprise, now: dt.datetime | None = None) -> list[dict]:
    """Each outlet of the enterprise's valid permits with its limits, the latest hourly average of each
    limited pollutant (if one arrived within the last two hours), whether its monitoring device reports,
    and its registered treatment facilities. Public data only."""
    now = now or clock.now()
    latest = Aggregate.objects.filter(outlet=OuterRef("outlet"), pollutant=OuterRef("pollutant"), period="hour",
                                      start__gte=now - LIVE_WITHIN, start__lte=now, valid_count__gt=0) \
        .order_by("-start")
    limits = (PermitLimit.objects.filter(outlet__enterprise=enterprise, outlet__permit__status=Permit.Status.VALID)
              .select_related("outlet", "pollutant").order_by("outlet__code", "pollutant__code")
              .annotate(latest_avg=Subquery(latest.values("avg")[:1]),
                        latest_start=Subquery(latest.values("start")[:1])))
    seen = dict(Device.objects.filter(outlet__enterprise=enterprise, is_active=True)
                .values_list("outlet_id", "last_seen_at"))
    facilities = {}
    for fac in TreatmentFacility.objects.filter(outlet__enterprise=enterprise).order_by("name"):
        facilities.setdefault(fac.outlet_id, []).append(fac)
    outlets = {}
    for lim in limits:
        out = outlets.setdefault(lim.outlet_id, {
            "outlet": lim.outlet, "limits": [], "facilities": facilities.get(lim.outlet_id, []),
            "online": lim.outlet.online_monitored, "last_seen_at": seen.get(lim.outlet_id),
            "reporting": bool(seen.get(lim.outlet_id) and now - seen[lim.outlet_id] <= LIVE_WITHIN),
        })
        value = lim.latest_avg
        out["limits"].append({
            "pollutant": lim.pollutant, "limit": lim.limit_value, "lower": lim.lower_limit, "unit": lim.unit,
            "value": value, "at": lim.latest_start,
            "over": value is not None and (value > float(lim.limit_value)
                                           or (lim.lower_limit is not None and value < float(lim.lower_limit))),
        })
    return list(outlets.values())


def insufficient_data(user) -> QuerySet:
    """Enterprises of ``user``'s jurisdiction graded "insufficient data", with what the township checks
    first: the latest execution report submitted and the latest packet of its monitoring devices."""
    codes = jurisdiction.restrict(EcoCode.objects.filter(colour="grey"), user)
    return (Enterprise.objects.filter(pk__in=codes.values("enterprise_id"))
            .select_related("township", "eco_code")
            .annotate(last_report=Max("permits__reports__submitted_on"),
                      last_packet=Max("outlets__devices__last_seen_at"))
            .order_by("township__name", "name"))
