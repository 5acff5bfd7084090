"""Turning the cells of the registry tables into the platform's values.

Plain cell values (text, numbers, dates, the Chinese labels of choices) map with the functions at the
top; the look-ups that need the database (industries, pollutants, townships and villages by address or
coordinates) are objects built once per import with everything they need in memory.
"""
import csv
import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext_lazy as _

from .. import geometry
from ..models import County, Grid, Industry, Pollutant, Township, Village
from ..reference import DATA


class MappingError(ValueError):
    """A cell value that cannot be used; the message is the reason the user reads."""


def nfkc(value) -> str:
    return unicodedata.normalize("NFKC", str(value)).strip()


def text(value) -> str:
    """A cell as text: numbers without a trailing '.0', surrounding space removed."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()[:10]
    return str(value).strip()


def decimal(value) -> Decimal | None:
    if value is None or text(value) == "":
        return None
    try:
        number = Decimal(str(value) if isinstance(value, (int, float)) else nfkc(value).replace(",", ""))
    except InvalidOperation:
        raise MappingError(_("Not a number.")) from None
    if not number.is_finite():
        raise MappingError(_("Not a number."))
    return number


def coordinate(value) -> float | None:
    number = decimal(value)
    return None if number is None else round(float(number), 6)


DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d")


def date(value) -> dt.date | None:
    if value is None or text(value) == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    raw = nfkc(value)
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
    raise MappingError(_("Not a date (use 2024-03-01)."))


class Choice:
    """A choice field's codes and their Chinese labels; the first label is the one exports write."""

    def __init__(self, pairs: dict[str, tuple[str, ...]]):
        self.pairs = pairs
        self.codes = {nfkc(label).lower(): code for code, labels in pairs.items() for label in (code, *labels)}

    def code(self, value) -> str | None:
        """The code of a label (or of the code itself); None when blank."""
        raw = nfkc(text(value)).lower()
        if raw == "":
            return None
        try:
            return self.codes[raw]
        except KeyError:
            raise MappingError(_("Unknown value.")) from None

    def label(self, code: str) -> str:
        return self.pairs[code][0]


MANAGEMENT_CLASSES = Choice({"key": ("重点管理", "重点"), "simplified": ("简化管理", "简化"),
                             "registration": ("登记管理", "登记", "排污登记")})
PERMIT_STATUSES = Choice({"valid": ("有效", "正常"), "expired": ("已过期", "过期", "失效"),
                          "suspended": ("暂停", "中止"), "revoked": ("撤销", "注销", "吊销")})
ENTERPRISE_STATUSES = Choice({"operating": ("正常生产", "生产", "运营", "在产"), "suspended": ("停产", "停产整治"),
                              "closed": ("关闭", "关停")})
OUTLET_KINDS = Choice({"air": ("废气", "大气", "废气排放口"), "water": ("废水", "水", "废水排放口"),
                       "noise": ("噪声",)})
OUTLET_TYPES = Choice({"main": ("主要排放口", "主要"), "general": ("一般排放口", "一般", "其他排放口")})
YES_NO = Choice({"yes": ("是", "有", "y", "true", "1"), "no": ("否", "无", "n", "false", "0")})
AVERAGING_PERIODS = Choice({"hour": ("小时均值", "小时平均", "1小时均值", "小时"),
                            "day": ("日均值", "日均", "日平均", "24小时均值"),
                            "half_hour": ("半小时均值", "半小时平均"),
                            "instant": ("瞬时值", "瞬时", "一次值", "任何一次", "最高允许排放浓度")})
METHODS = Choice({"online": ("自动", "自动监测", "在线", "在线监测", "自动(在线)"),
                  "manual": ("手工", "手工监测", "手动", "人工")})
FREQUENCIES = Choice({"continuous": ("连续", "连续监测", "实时", "自动监测"), "daily": ("每日", "1次/日", "每天"),
                      "weekly": ("每周", "1次/周"), "monthly": ("每月", "1次/月"),
                      "quarterly": ("每季度", "1次/季度", "每季"), "semiannual": ("每半年", "1次/半年", "半年"),
                      "annual": ("每年", "1次/年", "每年一次")})


# --- units ---------------------------------------------------------------------------------------
# spelling -> (canonical unit, factor to it)
CONCENTRATION_UNITS = {
    "mg/m3": ("mg/m³", Decimal(1)), "mg/nm3": ("mg/m³", Decimal(1)), "毫克/立方米": ("mg/m³", Decimal(1)),
    "μg/m3": ("μg/m³", Decimal(1)), "ug/m3": ("μg/m³", Decimal(1)), "微克/立方米": ("μg/m³", Decimal(1)),
    "mg/l": ("mg/L", Decimal(1)), "毫克/升": ("mg/L", Decimal(1)), "μg/l": ("mg/L", Decimal("0.001")),
    "ug/l": ("mg/L", Decimal("0.001")), "无量纲": ("无量纲", Decimal(1)), "-": ("无量纲", Decimal(1)),
    "db(a)": ("dB(A)", Decimal(1)), "db": ("dB(A)", Decimal(1)), "分贝": ("dB(A)", Decimal(1)),
}
# between canonical units of the same dimension: (from, to) -> factor
UNIT_CONVERSIONS = {("μg/m³", "mg/m³"): Decimal("0.001"), ("mg/m³", "μg/m³"): Decimal(1000)}
ANNUAL_UNITS = {"t/a": Decimal(1), "吨/年": Decimal(1), "t": Decimal(1), "吨": Decimal(1), "t/年": Decimal(1),
                "kg/a": Decimal("0.001"), "千克/年": Decimal("0.001"), "kg": Decimal("0.001"),
                "公斤/年": Decimal("0.001")}


def _unit_key(value) -> str:
    return nfkc(text(value)).replace("³", "3").replace(" ", "").lower()


def concentration_factor(unit, pollutant: Pollutant) -> Decimal:
    """Factor turning a limit given in ``unit`` into the pollutant's own unit (blank: its own unit)."""
    if text(unit) == "":
        return Decimal(1)
    target = pollutant.unit or "无量纲"
    spelled = CONCENTRATION_UNITS.get(_unit_key(unit))
    if spelled is None:
        if nfkc(unit) == nfkc(target):
            return Decimal(1)
        raise MappingError(_("Unknown unit."))
    canonical, factor = spelled
    if canonical == target:
        return factor
    try:
        return factor * UNIT_CONVERSIONS[(canonical, target)]
    except KeyError:
        raise MappingError(_("This unit does not fit the pollutant (its unit is %(unit)s).")
                           % {"unit": target}) from None


def annual_factor(unit) -> Decimal:
    """Factor turning an annual quantity in ``unit`` into tonnes per year (blank: t/a)."""
    if text(unit) == "":
        return Decimal(1)
    try:
        return ANNUAL_UNITS[_unit_key(unit)]
    except KeyError:
        raise MappingError(_("Unknown unit (use t/a or kg/a).")) from None


# --- look-ups in the database --------------------------------------------------------------------
BRACKETS = re.compile(r"\([^)]*\)")


def _pollutant_key(name: str) -> str:
    return nfkc(name).replace(" ", "").lower()


class PollutantMap:
    """Pollutant names as permits write them ("氨氮（NH3-N）", "COD", "w01018") to Pollutant rows."""

    def __init__(self):
        self.by_id = {p.pk: p for p in Pollutant.objects.all()}
        index = {}
        for p in self.by_id.values():
            index[_pollutant_key(p.code)] = p
            index[_pollutant_key(p.name)] = p
        by_code = {p.code: p for p in self.by_id.values()}
        with open(DATA / "pollutant_aliases.csv", encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                if row["code"] in by_code:
                    index[_pollutant_key(row["alias"])] = by_code[row["code"]]
        self.index = index

    def get(self, value) -> Pollutant:
        name = text(value)
        if name == "":
            raise MappingError(_("Required."))
        key = _pollutant_key(name)
        found = self.index.get(key) or self.index.get(BRACKETS.sub("", key))
        if found is None:
            raise MappingError(_("Unknown pollutant."))
        return found


class IndustryMap:
    """Industries given by GB/T 4754 code, name, or both ("C1713 棉印染精加工")."""

    CODE = re.compile(r"^([A-T]\d{2,4})")

    def __init__(self):
        self.by_code = {i.code: i for i in Industry.objects.all()}
        self.by_name = {nfkc(i.name): i for i in self.by_code.values()}

    def get(self, value) -> Industry:
        raw = nfkc(text(value)).upper()
        if raw == "":
            raise MappingError(_("Required."))
        match = self.CODE.match(raw)
        if match:
            found = self.by_code.get(match.group(1))
            if found:
                return found
        found = self.by_name.get(nfkc(text(value)))
        if found is None:
            raise MappingError(_("Unknown industry (give the GB/T 4754 code, e.g. C1713)."))
        return found


@dataclass
class _Shape:
    obj: object
    polygon: list
    bbox: tuple[float, float, float, float]

    @classmethod
    def of(cls, obj) -> "_Shape | None":
        if not obj.boundary:
            return None
        polygon = geometry.from_geojson_polygon(obj.boundary)
        xs, ys = [p[0] for p in polygon], [p[1] for p in polygon]
        return cls(obj, polygon, (min(xs), min(ys), max(xs), max(ys)))

    def contains(self, point) -> bool:
        x, y = point
        return (self.bbox[0] <= x <= self.bbox[2] and self.bbox[1] <= y <= self.bbox[3]
                and geometry.contains(self.polygon, point))


def _first(shapes, point):
    return next((s.obj for s in shapes if s.contains(point)), None)


class AreaLocator:
    """Places an enterprise in its township (the named one, the one its address names, or the one its
    centre lies in), village and grid (by coordinates), and tells whether a point is in the county."""

    def __init__(self, county_code: str = ""):
        county = County.objects.filter(code=county_code).first() if county_code else None
        county = county or County.objects.order_by("pk").first()
        self.county = _Shape.of(county) if county else None
        towns = list(Township.objects.all())
        self.towns_by_name = {nfkc(t.name): t for t in towns}
        self.town_names = sorted(self.towns_by_name, key=len, reverse=True)
        self.town_shapes = [s for s in map(_Shape.of, towns) if s]
        self.village_shapes: dict[int, list[_Shape]] = {}
        for v in Village.objects.all():
            shape = _Shape.of(v)
            if shape:
                self.village_shapes.setdefault(v.township_id, []).append(shape)
        self.grid_shapes: dict[int, list[_Shape]] = {}
        self.only_grid: dict[int, Grid] = {}
        grids_per_village: dict[int, list[Grid]] = {}
        for g in Grid.objects.all():
            grids_per_village.setdefault(g.village_id, []).append(g)
            shape = _Shape.of(g)
            if shape:
                self.grid_shapes.setdefault(g.village_id, []).append(shape)
        self.only_grid = {vid: gs[0] for vid, gs in grids_per_village.items() if len(gs) == 1}

    def in_county(self, point) -> bool:
        if self.county is not None:
            return self.county.contains(point)
        return _first(self.town_shapes, point) is not None

    def township(self, named: str, address: str, point) -> Township:
        if named:
            found = self.towns_by_name.get(nfkc(named))
            if found is None:
                raise MappingError(_("Unknown township."))
            return found
        address = nfkc(address)
        for name in self.town_names:
            if name in address:
                return self.towns_by_name[name]
        found = _first(self.town_shapes, point)
        if found is None:
            raise MappingError(_("Neither the address nor the coordinates lie in a township of the county."))
        return found

    def village_and_grid(self, township: Township, point) -> tuple[Village | None, Grid | None]:
        village = _first(self.village_shapes.get(township.pk, ()), point)
        if village is None:
            return None, None
        grid = _first(self.grid_shapes.get(village.pk, ()), point) or self.only_grid.get(village.pk)
        return village, grid
