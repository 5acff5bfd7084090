"""Reads of waste: what a user may see (jurisdiction over the producer, or being its carrier or
receiver), a shipment's route with its gaps and stops, the producer's ledger beside the manifests, and
what other apps read of the manifests (the enterprise file, the township ranking)."""
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db.models import Case, Count, DecimalField, Exists, F, OuterRef, Q, Sum, Value, When
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from core import clock
from enterprises.jurisdiction import enterprise_q
from enterprises.models import Role

from .models import (
    OPEN_STATES, TONNES_PER_UNIT, GpsPoint, LedgerEntry, Manifest, ManifestState, TransferSettings, WasteAlert,
    WasteCategory,
)

ZERO = Decimal("0")
TOLERANCE_T = Decimal("0.001")


def manifest_q(user) -> Q:
    """Manifests ``user`` may see: by jurisdiction over the producer; an enterprise account also sees
    those it carries or receives."""
    q = enterprise_q(user, "producer")
    if getattr(user, "is_authenticated", False) and user.is_active and user.role == Role.ENTERPRISE \
            and user.enterprise_id:
        q |= Q(carrier_id=user.enterprise_id) | Q(receiver__operator_id=user.enterprise_id)
    return q


def visible_manifests(user):
    return (Manifest.objects.filter(manifest_q(user))
            .select_related("producer__township", "category", "carrier", "vehicle", "receiver"))


def visible_alerts(user, open_only: bool = True):
    alerts = WasteAlert.objects.filter(manifest__in=Manifest.objects.filter(manifest_q(user)).values("pk")) \
        .select_related("manifest__category", "manifest__vehicle", "enterprise", "work_order")
    return alerts.filter(state__in=OPEN_STATES) if open_only else alerts


def filter_manifests(queryset, params: dict):
    """The list page's filters: state, waste kind, township, departure from/to, with open warnings."""
    if params.get("state") in ManifestState.values:
        queryset = queryset.filter(state=params["state"])
    if params.get("kind") in ("general", "hazardous"):
        queryset = queryset.filter(category__kind=params["kind"])
    if str(params.get("township", "")).isdigit():
        queryset = queryset.filter(producer__township_id=int(params["township"]))
    if params.get("since"):
        queryset = queryset.filter(planned_departure__date__gte=params["since"])
    if params.get("until"):
        queryset = queryset.filter(planned_departure__date__lte=params["until"])
    if params.get("warnings") == "1":
        queryset = queryset.filter(alerts__state__in=OPEN_STATES).distinct()
    if params.get("q"):
        text = params["q"].strip()[:40]
        queryset = queryset.filter(Q(number__icontains=text) | Q(producer__name__icontains=text)
                                   | Q(vehicle__plate__icontains=text))
    return queryset


@dataclass
class Route:
    points: list[dict]
    segments: list[list[list[float]]]  # the positions split where a gap breaks the trajectory
    gaps: list[dict]
    stops: list[dict]


def _local(at: datetime) -> str:
    return timezone.localtime(at).strftime("%Y-%m-%d %H:%M")


def route(manifest: Manifest) -> Route:
    """The positions of the manifest's vehicle inside its window (departure to arrival, or now), with
    the gaps longer than the allowed one and the long stops marked, for the map."""
    cfg = TransferSettings.current()
    start = manifest.departed_at or manifest.planned_departure
    end = manifest.arrived_at or min(clock.now(), manifest.planned_arrival + timedelta(days=1))
    rows = list(GpsPoint.objects.filter(vehicle_id=manifest.vehicle_id, at__gte=start, at__lte=end)
                .order_by("at").values_list("at", "latitude", "longitude", "speed"))
    points = [{"at": _local(at), "lat": lat, "lon": lon, "speed": speed} for at, lat, lon, speed in rows]
    gaps, stops, segments = [], [], [[]]
    edges = [(start, None), *[(r[0], [r[1], r[2]]) for r in rows], (end, None)] if manifest.departed_at else []
    for (a_at, a_pos), (b_at, b_pos) in zip(edges, edges[1:]):
        if b_at - a_at > cfg.gap:
            gaps.append({"from": _local(a_at), "to": _local(b_at), "minutes": round((b_at - a_at).total_seconds() / 60),
                         "a": a_pos, "b": b_pos})
            segments.append([])
        if b_pos is not None:
            segments[-1].append(b_pos)
    slow = float(cfg.stop_speed_kmh)
    run: list = []
    for row in [*rows, None]:
        if row is not None and row[3] < slow:
            run.append(row)
            continue
        if run and run[-1][0] - run[0][0] >= timedelta(minutes=cfg.stop_minutes):
            stops.append({"from": _local(run[0][0]), "to": _local(run[-1][0]),
                          "minutes": round((run[-1][0] - run[0][0]).total_seconds() / 60),
                          "lat": sum(r[1] for r in run) / len(run), "lon": sum(r[2] for r in run) / len(run)})
        run = []
    return Route(points, [seg for seg in segments if seg], gaps, stops)


def _tonnes() -> Case:
    """The factor that turns a manifest's quantity into tonnes."""
    return Case(*[When(unit=u, then=Value(f)) for u, f in TONNES_PER_UNIT.items()],
                output_field=DecimalField(max_digits=8, decimal_places=3))


@dataclass
class LedgerRow:
    month: date
    category: object
    generated: Decimal
    shipped_declared: Decimal
    stored: Decimal | None
    shipped: Decimal
    received: Decimal
    declared: bool
    expected_stored: Decimal | None = None  # last month's store + generated − shipped by the manifests

    @property
    def shipped_matches(self) -> bool:
        return not self.declared or abs(self.shipped_declared - self.shipped) <= TOLERANCE_T

    @property
    def stored_matches(self) -> bool:
        return self.expected_stored is None or self.stored is None or \
            abs(self.expected_stored - self.stored) <= TOLERANCE_T


def ledger(enterprise, months: int = 12) -> list[LedgerRow]:
    """Per category and month: generated, in store (as declared), shipped as declared, and what the
    manifests say was shipped (departed that month) and received. Two aggregate queries."""
    today = clock.now().date()
    first = (today.replace(day=1) - timedelta(days=31 * (months - 1))).replace(day=1)
    factor = _tonnes()
    shipped = (Manifest.objects.filter(producer=enterprise, departed_at__date__gte=first)
               .annotate(month=TruncMonth("departed_at")).values("month", "category_id")
               .annotate(shipped=Sum(F("quantity") * factor),
                         received=Coalesce(Sum(F("received_quantity") * factor,
                                               filter=Q(received_quantity__isnull=False)),
                                           Value(ZERO), output_field=DecimalField())))
    by_key = defaultdict(lambda: {"shipped": ZERO, "received": ZERO})
    for row in shipped:
        by_key[(row["month"].date() if isinstance(row["month"], datetime) else row["month"],
                row["category_id"])] = row
    declared = {(e.month, e.category_id): e for e in
                LedgerEntry.objects.filter(enterprise=enterprise, month__gte=first).select_related("category")}
    categories = WasteCategory.objects.in_bulk({key[1] for key in [*by_key, *declared]})
    out, last_stored = [], {}
    for key in sorted({*by_key, *declared}, key=lambda k: (k[0], categories[k[1]].code)):
        entry, actual = declared.get(key), by_key[key]
        shipped_t = (actual["shipped"] or ZERO).quantize(TOLERANCE_T)
        previous = last_stored.get(key[1])
        last_stored[key[1]] = entry.stored_t if entry else None
        out.append(LedgerRow(month=key[0], category=categories[key[1]],
                             generated=entry.generated_t if entry else ZERO,
                             shipped_declared=entry.shipped_t if entry else ZERO,
                             stored=entry.stored_t if entry else None,
                             shipped=shipped_t, received=(actual["received"] or ZERO).quantize(TOLERANCE_T),
                             declared=entry is not None,
                             expected_stored=None if previous is None or entry is None
                             else previous + entry.generated_t - shipped_t))
    return out


def _with_warnings(manifests):
    return manifests.annotate(warned=Exists(WasteAlert.objects.filter(manifest=OuterRef("pk"))),
                              open_warnings=Count("alerts", filter=Q(alerts__state__in=OPEN_STATES)))


def enterprise_transfers(enterprise, user, *, limit: int = 20) -> dict:
    """The enterprise file's part: the latest manifests ``user`` may see that ``enterprise`` produced,
    carried or received, with their warnings, and the shipments it produced per state (label, count)."""
    mine = Q(producer=enterprise) | Q(carrier=enterprise) | Q(receiver__operator=enterprise)
    visible = visible_manifests(user).filter(mine)
    counts = dict(visible.filter(producer=enterprise).order_by().values("state").annotate(n=Count("pk"))
                  .values_list("state", "n"))
    return {"manifests": _with_warnings(visible).order_by("-planned_departure", "-pk")[:limit],
            "by_state": [(label, counts.get(value, 0)) for value, label in ManifestState.choices],
            "open_warnings": visible_alerts(user).filter(manifest__in=visible.values("pk")).count()}


def township_transfers(user, start: datetime, end: datetime) -> dict[int, dict]:
    """``{township_id: {"shipments", "clean"}}``: shipments the user may see that left the township's
    producers in [start, end), and those that raised no transfer warning (on time, complete, confirmed)."""
    rows = (Manifest.objects.filter(manifest_q(user), departed_at__gte=start, departed_at__lt=end)
            .annotate(warned=Exists(WasteAlert.objects.filter(manifest=OuterRef("pk")))).order_by()
            .values("producer__township_id")
            .annotate(shipments=Count("pk"), clean=Count("pk", filter=Q(warned=False))))
    return {r["producer__township_id"]: {"shipments": r["shipments"], "clean": r["clean"]} for r in rows}
