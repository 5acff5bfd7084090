"""Plain-Python planar geometry on lon/lat, enough for a county: polygons, Voronoi cells, distances.

The platform keeps coordinates as numbers (no GIS library), so the few spatial operations it needs
live here: convex clipping by half-planes (to build Voronoi cells of area centres), point-in-polygon,
great-circle distance and bearing.
"""
import math
from collections.abc import Sequence

Point = tuple[float, float]  # (lon, lat)

EARTH_RADIUS_M = 6_371_000.0


def clip_half_plane(polygon: Sequence[Point], a: float, b: float, c: float) -> list[Point]:
    """The part of a convex polygon where a*x + b*y <= c (Sutherland-Hodgman against one edge)."""
    out: list[Point] = []
    n = len(polygon)
    for i in range(n):
        p, q = polygon[i], polygon[(i + 1) % n]
        p_in = a * p[0] + b * p[1] <= c
        q_in = a * q[0] + b * q[1] <= c
        if p_in:
            out.append(p)
        if p_in != q_in:
            denom = a * (q[0] - p[0]) + b * (q[1] - p[1])
            t = (c - a * p[0] - b * p[1]) / denom
            out.append((p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1])))
    return out


def voronoi_cell(site: Point, others: Sequence[Point], bounds: Sequence[Point]) -> list[Point]:
    """The Voronoi cell of ``site`` among ``others`` inside the convex polygon ``bounds``."""
    cell = list(bounds)
    for other in others:
        if other == site:
            continue
        # Keep points closer to site than to other: the half-plane of the perpendicular bisector.
        a, b = other[0] - site[0], other[1] - site[1]
        mx, my = (site[0] + other[0]) / 2, (site[1] + other[1]) / 2
        cell = clip_half_plane(cell, a, b, a * mx + b * my)
        if not cell:
            break
    return cell


def contains(polygon: Sequence[Point], point: Point) -> bool:
    """Point-in-polygon by ray casting (boundary points may go either way)."""
    x, y = point
    inside = False
    n = len(polygon)
    for i in range(n):
        (x1, y1), (x2, y2) = polygon[i], polygon[(i + 1) % n]
        if (y1 > y) != (y2 > y) and x < (x2 - x1) * (y - y1) / (y2 - y1) + x1:
            inside = not inside
    return inside


def centroid(polygon: Sequence[Point]) -> Point:
    """Area centroid of a simple polygon."""
    area = cx = cy = 0.0
    n = len(polygon)
    for i in range(n):
        (x1, y1), (x2, y2) = polygon[i], polygon[(i + 1) % n]
        cross = x1 * y2 - x2 * y1
        area += cross
        cx += (x1 + x2) * cross
        cy += (y1 + y2) * cross
    if area == 0:
        return polygon[0]
    return cx / (3 * area), cy / (3 * area)


def to_geojson_polygon(polygon: Sequence[Point], digits: int = 5) -> dict:
    ring = [[round(x, digits), round(y, digits)] for x, y in polygon]
    if ring[0] != ring[-1]:
        ring.append(list(ring[0]))
    return {"type": "Polygon", "coordinates": [ring]}


def from_geojson_polygon(geometry: dict) -> list[Point]:
    ring = geometry["coordinates"][0]
    return [(float(x), float(y)) for x, y in ring[:-1]]


def distance_m(a: Point, b: Point) -> float:
    """Great-circle distance in metres between two (lon, lat) points."""
    lon1, lat1, lon2, lat2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(h))


def bearing_deg(a: Point, b: Point) -> float:
    """Initial bearing from a to b in degrees clockwise from north (0-360)."""
    lon1, lat1, lon2, lat2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    y = math.sin(lon2 - lon1) * math.cos(lat2)
    x = math.cos(lat1) * math.sin(lat2) - math.sin(lat1) * math.cos(lat2) * math.cos(lon2 - lon1)
    return (math.degrees(math.atan2(y, x)) + 360) % 360
