"""Reads of the one map by viewport: what one screen shows at one zoom, never the whole city at once.

Below ``POINTS_FROM_ZOOM`` the visible enterprises in the box are grouped in the database: each is snapped
to a fixed grid whose cell spans ``CELL_PX`` screen pixels at that zoom, and one GROUP BY per request gives
each cell its count, colour mix, worst colour, enterprises with open warnings and centroid. The grid is
anchored at 0°, so a cell keeps its members when the map pans. From ``POINTS_FROM_ZOOM`` on, the enterprises
in the box themselves (``selectors.map_rows_json``). All ORM aggregates, the same SQL on PostgreSQL and SQLite.
"""
import math

from django.db.models import Avg, Case, Count, F, IntegerField, Max, Min, Q, Value, When
from django.db.models.functions import Floor

from ecocode.models import Colour
from enterprises import jurisdiction

from . import selectors
from .filters import NO_COLOUR, MapFilters, Viewport

POINTS_FROM_ZOOM = 15
CELL_PX = 64
#: The colours from least to most severe: a cell's worst colour is the last one present (grey, the
#: absence of a score, is worse than nothing only).
SEVERITY = (Colour.GREY, *Colour.scored())
#: Column order of a cluster row; ``worst`` is an index into ``selectors.COLOURS`` (None: none scored),
#: ``id`` the enterprise's when the cell holds one, ``mix`` the counts per ``selectors.COLOURS`` then unscored.
CLUSTER_FIELDS = ("lat", "lon", "count", "worst", "warned", "id", "mix")


def cell_size(view: Viewport) -> tuple[float, float]:
    """(longitude, latitude) degrees of a grid cell: ``CELL_PX`` pixels wide, about as many high (a
    degree of latitude spans 1/cos(latitude) times the pixels of a degree of longitude; the cosine is
    taken at the box's centre rounded to 5° so the grid does not move while panning)."""
    lon = view.degrees_per_px() * CELL_PX
    centre = round((view.south + view.north) / 2 / 5) * 5
    return lon, lon * max(math.cos(math.radians(centre)), 0.1)


def clusters(user, filters: MapFilters, view: Viewport) -> list[list]:
    """One row per occupied grid cell in ``CLUSTER_FIELDS`` order, from one GROUP BY query."""
    cell_lon, cell_lat = cell_size(view)
    unscored = Q(eco_code__isnull=True) | Q(eco_code__colour="")
    severity = Case(*[When(eco_code__colour=c, then=Value(rank)) for rank, c in enumerate(SEVERITY)],
                    default=None, output_field=IntegerField())
    mix = {f"n_{c}": Count("id", filter=Q(eco_code__colour=c)) for c in selectors.COLOURS}
    cells = (selectors.map_queryset(user, filters, view)
             .annotate(cx=Floor(F("longitude") / cell_lon), cy=Floor(F("latitude") / cell_lat))
             .values("cx", "cy")
             .annotate(n=Count("id"), lat=Avg("latitude"), lon=Avg("longitude"), worst=Max(severity),
                       warned=Count("id", filter=selectors.with_open_alert()), one=Min("id"),
                       n_none=Count("id", filter=unscored), **mix)
             .order_by())  # unordered: PostgreSQL hashes the cells instead of sorting every enterprise
    cells = sorted(cells, key=lambda c: (c["cy"], c["cx"]))
    index = {c: i for i, c in enumerate(selectors.COLOURS)}
    return [[round(c["lat"], 5), round(c["lon"], 5), c["n"],
             None if c["worst"] is None else index[SEVERITY[c["worst"]]], c["warned"],
             c["one"] if c["n"] == 1 else None,
             [c[f"n_{name}"] for name in selectors.COLOURS] + [c["n_none"]]] for c in cells]


def map_view(user, filters: MapFilters, view: Viewport) -> dict:
    """The answer for one screen: ``mode`` "clusters" (rows in ``CLUSTER_FIELDS``) or "points" (rows in
    ``selectors.MAP_FIELDS``, as JSON text under ``rows_json``), and ``count``, the enterprises in the box."""
    head = {"zoom": view.zoom, "bbox": [view.west, view.south, view.east, view.north],
            "colours": selectors.COLOURS, "classes": selectors.CLASSES, "points_from_zoom": POINTS_FROM_ZOOM}
    if view.zoom >= POINTS_FROM_ZOOM:
        text, count = selectors.map_rows_json(user, filters, view)
        return {**head, "mode": "points", "fields": selectors.MAP_FIELDS, "count": count, "rows_json": text}
    rows = clusters(user, filters, view)
    return {**head, "mode": "clusters", "fields": CLUSTER_FIELDS, "unscored": NO_COLOUR,
            "count": sum(r[2] for r in rows), "rows": rows}


def map_extent(user) -> list[list[float]] | None:
    """``[[south, west], [north, east]]`` of the enterprises ``user`` may see (the first screen), or None."""
    box = jurisdiction.visible_enterprises(user).order_by().aggregate(
        south=Min("latitude"), west=Min("longitude"), north=Max("latitude"), east=Max("longitude"))
    return None if box["south"] is None else [[box["south"], box["west"]], [box["north"], box["east"]]]
