"""Builds a realistic demo county (modelled on Tongxiang, Zhejiang) with bulk inserts.

11 townships and subdistricts with Voronoi boundaries, villages and one grid per village,
enterprises of the county's typical industries spread over the villages, each with a permit,
outlets with limits, self-monitoring duties, treatment facilities, permit items and execution
reports; 33 enforcement officers, township and grid officers, one account per enterprise.
Deterministic for a given ``seed`` and ``today``.
"""
import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction

from . import geometry
from .models import (
    County,
    Enterprise,
    ExecutionReport,
    Grid,
    Industry,
    MonitoringDuty,
    Outlet,
    Permit,
    PermitItem,
    PermitLimit,
    Pollutant,
    Role,
    Township,
    TreatmentFacility,
    User,
    Village,
)
from .validators import CREDIT_CODE_ALPHABET, make_credit_code

DEMO_PASSWORD = "demo-pass-2026"
ADMIN_USERNAME = ADMIN_PASSWORD = "admin"
DEFAULT_ENTERPRISES = 10_250
ENFORCEMENT_OFFICERS = 33
COUNTY_BOUNDS = [(120.27, 30.47), (120.70, 30.47), (120.70, 30.78), (120.27, 30.78)]

# name, kind, (lon, lat) of the seat, weight of enterprises
TOWNSHIPS = [
    ("梧桐街道", "subdistrict", (120.565, 30.630), 1.3),
    ("凤鸣街道", "subdistrict", (120.530, 30.600), 1.1),
    ("龙翔街道", "subdistrict", (120.515, 30.655), 1.0),
    ("濮院镇", "town", (120.640, 30.690), 1.6),
    ("屠甸镇", "town", (120.610, 30.560), 0.8),
    ("崇福镇", "town", (120.435, 30.535), 1.3),
    ("洲泉镇", "town", (120.335, 30.565), 1.2),
    ("大麻镇", "town", (120.300, 30.500), 0.6),
    ("河山镇", "town", (120.380, 30.630), 0.7),
    ("乌镇镇", "town", (120.490, 30.745), 0.8),
    ("石门镇", "town", (120.435, 30.600), 0.9),
]
VILLAGE_SUFFIXES = ["村", "村", "村", "社区"]
VILLAGE_NAMES = "东南西北新永长安兴福华庆丰民和平太利宝金银石桥塘湾港浜圩庄港头荡墩".replace(" ", "")

# industry code -> (weight, share of key class, has water outlet, air pollutant codes, water pollutant codes)
INDUSTRY_PROFILES = {
    "C1713": (6, 0.25, True, ["a34013"], ["w01018", "w21003", "w21011", "w01001"]),
    "C1752": (5, 0.25, True, ["a34013", "a24088"], ["w01018", "w21003", "w21011", "w01001"]),
    "C1762": (4, 0.2, True, ["a24088"], ["w01018", "w21003", "w01001"]),
    "C1761": (14, 0.02, False, ["a34013"], []),
    "C1810": (8, 0.01, False, ["a34013"], []),
    "C1931": (5, 0.1, True, ["a34013"], ["w01018", "w21003", "w20116"]),
    "C2110": (4, 0.03, False, ["a34013", "a24088"], []),
    "C2319": (4, 0.05, False, ["a24088"], []),
    "C2614": (2, 0.5, True, ["a24088", "a21024"], ["w01018", "w21003", "w21011"]),
    "C2641": (1, 0.4, True, ["a24088"], ["w01018", "w21003"]),
    "C2651": (1, 0.3, True, ["a24088", "a34013"], ["w01018", "w21003"]),
    "C2821": (2, 0.3, True, ["a24088"], ["w01018", "w21003"]),
    "C2822": (3, 0.3, True, ["a24088"], ["w01018", "w21003"]),
    "C2922": (5, 0.02, False, ["a24088"], []),
    "C2927": (4, 0.02, False, ["a24088"], []),
    "C3011": (1, 0.8, False, ["a34013", "a21026", "a21002"], []),
    "C3042": (2, 0.3, False, ["a34013", "a21026", "a21002"], []),
    "C3360": (3, 0.3, True, ["a34013"], ["w01018", "w20117", "w20122", "w20123", "w20121"]),
    "C3391": (2, 0.1, False, ["a34013", "a21026"], []),
    "C3392": (2, 0.1, False, ["a34013"], []),
    "C3481": (4, 0.01, False, ["a34013"], []),
    "C3670": (6, 0.05, False, ["a24088", "a34013"], []),
    "C3821": (3, 0.02, False, ["a24088"], []),
    "C3971": (3, 0.05, True, ["a24088"], ["w01018", "w21003"]),
    "C3982": (2, 0.4, True, ["a24088", "a21024"], ["w01018", "w21003", "w20122"]),
    "D4411": (1, 1.0, True, ["a21026", "a21002", "a34013"], ["w01018"]),
    "D4430": (1, 1.0, False, ["a21026", "a21002", "a34013"], []),
    "N7721": (1, 1.0, True, ["a24088"], ["w01018", "w21003", "w21011", "w21001", "w01001"]),
    "N7724": (1, 1.0, True, ["a34013", "a21026", "a21002", "a21024"], ["w01018", "w21003"]),
    "A0313": (3, 0.2, True, [], ["w01018", "w21003", "w21011"]),
    "C1391": (2, 0.05, True, ["a34013"], ["w01018", "w21003"]),
    "O8011": (3, 0.0, True, [], ["w01018", "w21003"]),
}
# pollutant code -> (limit for key class, limit for others, averaging period, standard)
LIMITS = {
    "w01018": (80, 500, "day", "GB 4287-2012"),
    "w21003": (10, 35, "day", "GB 4287-2012"),
    "w21011": (0.5, 8, "day", "GB 4287-2012"),
    "w21001": (15, 70, "day", "GB 18918-2002"),
    "w01001": (9, 9, "instant", "GB 8978-1996"),
    "w20116": (1.5, 1.5, "day", "GB 30486-2013"),
    "w20117": (0.1, 0.2, "day", "GB 21900-2008"),
    "w20122": (0.5, 0.5, "day", "GB 21900-2008"),
    "w20123": (1.5, 1.5, "day", "GB 21900-2008"),
    "w20121": (0.5, 0.5, "day", "GB 21900-2008"),
    "a34013": (10, 20, "hour", "DB33/2147-2018"),
    "a24088": (60, 80, "hour", "GB 37822-2019"),
    "a21026": (35, 200, "hour", "GB 13223-2011"),
    "a21002": (50, 200, "hour", "GB 13223-2011"),
    "a21024": (10, 30, "hour", "GB 31571-2015"),
}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁沈"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国文斌晓红"
COMPANY_WORDS = ["华", "盛", "恒", "达", "新", "佳", "宏", "鑫", "源", "丰", "瑞", "泰", "信", "凯", "嘉", "美",
                 "锦", "隆", "振", "永", "通", "联", "创", "欣", "汇", "立", "德", "正", "天", "海"]
INDUSTRY_WORDS = {"C17": "纺织印染", "C18": "服饰", "C19": "皮草", "C21": "家具", "C23": "印刷包装", "C26": "化工",
                  "C27": "制药", "C28": "化纤", "C29": "塑料", "C30": "建材", "C33": "金属制品", "C34": "机械",
                  "C36": "汽车部件", "C38": "电气", "C39": "电子", "D44": "热电", "N77": "环境", "A03": "生态农业",
                  "C13": "食品", "O80": "洗染"}


@dataclass
class SeedReport:
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, key: str, n: int) -> None:
        self.counts[key] = self.counts.get(key, 0) + n


def _random_point_in(rng: random.Random, polygon: list[geometry.Point]) -> geometry.Point:
    xs, ys = [p[0] for p in polygon], [p[1] for p in polygon]
    for _ in range(1000):
        p = (rng.uniform(min(xs), max(xs)), rng.uniform(min(ys), max(ys)))
        if geometry.contains(polygon, p):
            return p
    return geometry.centroid(polygon)


# Pollutants under total-quantity control: the main outlets of key units get an annual permitted quantity.
TOTAL_CONTROLLED = {"w01018", "w21003", "a21026", "a21002", "a34013", "a24088"}


def _annual_quantity(outlet: Outlet, pcode: str, limit: float, key: bool) -> Decimal | None:
    """t/a at the limit: air 1,000 m³/h per metre of stack for 7,200 h; water 300 m³/d for 330 days."""
    if not (key and outlet.is_main and pcode in TOTAL_CONTROLLED):
        return None
    if outlet.kind == "air":
        tonnes = limit * outlet.height_m * 1000 * 7200 / 1e9
    else:
        tonnes = limit * 300 * 330 / 1e6
    return Decimal(str(round(tonnes, 3)))


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


class DemoCounty:
    """One seeding run. ``progress`` is called with the number of enterprises finished so far."""

    def __init__(self, *, enterprises: int = DEFAULT_ENTERPRISES, seed: int = 2026, today: dt.date | None = None,
                 progress: Callable[[int], None] | None = None, chunk: int = 1000):
        if enterprises < 1:
            raise ValueError("at least one enterprise")
        self.n = enterprises
        self.seed = seed
        self.rng = random.Random(seed)
        self.today = today or dt.date.today()
        self.progress = progress or (lambda done: None)
        self.chunk = chunk
        self.report = SeedReport()
        self.password_hash = make_password(DEMO_PASSWORD)
        # Every seeded account must choose its own password at the first web login (benchmarks turn it off).
        self.force_password_change = getattr(settings, "DEMO_FORCE_PASSWORD_CHANGE", True)

    # --- areas -----------------------------------------------------------------------------
    def build_areas(self) -> list[tuple[Township, float, list[tuple[Village, Grid, list]]]]:
        county, _ = County.objects.update_or_create(
            code="330483", defaults={"name": "桐乡市", "latitude": 30.63, "longitude": 120.50,
                                     "boundary": geometry.to_geojson_polygon(COUNTY_BOUNDS)})
        seats = [t[2] for t in TOWNSHIPS]
        towns = []
        for i, (name, kind, seat, weight) in enumerate(TOWNSHIPS, start=1):
            cell = geometry.voronoi_cell(seat, seats, COUNTY_BOUNDS)
            towns.append(Township(county=county, code=f"330483{i:03d}", name=name, kind=kind,
                                  latitude=seat[1], longitude=seat[0], boundary=geometry.to_geojson_polygon(cell)))
        Township.objects.bulk_create(towns)
        self.report.add("townships", len(towns))
        result = []
        villages, grids, cells = [], [], []
        for town, (_, _, _, weight) in zip(towns, TOWNSHIPS):
            town_cell = geometry.from_geojson_polygon(town.boundary)
            n_villages = self.rng.randint(12, 20)
            sites = [_random_point_in(self.rng, town_cell) for _ in range(n_villages)]
            for j, site in enumerate(sites, start=1):
                cell = geometry.voronoi_cell(site, sites, town_cell)
                name = town.name[:2] + self.rng.choice(VILLAGE_NAMES) + self.rng.choice(VILLAGE_NAMES) + \
                    self.rng.choice(VILLAGE_SUFFIXES)
                village = Village(township=town, code=f"{town.code}{j:03d}", name=name, latitude=site[1],
                                  longitude=site[0], boundary=geometry.to_geojson_polygon(cell))
                villages.append(village)
                cells.append((town, weight, village, cell))
        Village.objects.bulk_create(villages)
        for town, weight, village, cell in cells:
            grids.append(Grid(village=village, township=town, code=f"G{village.code}", name=f"{village.name}网格",
                              latitude=village.latitude, longitude=village.longitude, boundary=village.boundary))
        Grid.objects.bulk_create(grids)
        self.report.add("villages", len(villages))
        self.report.add("grids", len(grids))
        by_town: dict[int, list] = {}
        for (town, weight, village, cell), grid in zip(cells, grids):
            by_town.setdefault(town.pk, []).append((village, grid, cell))
        for town, (_, _, _, weight) in zip(towns, TOWNSHIPS):
            result.append((town, weight, by_town[town.pk]))
        return result

    # --- people ----------------------------------------------------------------------------
    def _account(self, **fields) -> User:
        """A seeded account with the demo password, to be changed at the first web login."""
        return User(password=self.password_hash, must_change_password=self.force_password_change, **fields)

    def build_officers(self, areas) -> None:
        if not User.objects.filter(username=ADMIN_USERNAME).exists():
            User.objects.create_superuser(ADMIN_USERNAME, "admin@enforcement.local", ADMIN_PASSWORD,
                                          first_name="管理员", role=Role.BUREAU,
                                          must_change_password=self.force_password_change)
        users = [self._account(username=f"zf{i:02d}", first_name=_person(self.rng), role=Role.ENFORCEMENT,
                               is_staff=False, phone=f"1390573{i:04d}")
                 for i in range(1, ENFORCEMENT_OFFICERS + 1)]
        users += [self._account(username=f"bureau{i}", first_name=_person(self.rng), role=Role.BUREAU, is_staff=True)
                  for i in range(1, 4)]
        for town, _, vgs in areas:
            users += [self._account(username=f"xz{town.code[-3:]}-{k}", first_name=_person(self.rng),
                                    role=Role.TOWNSHIP, township=town) for k in (1, 2)]
            users += [self._account(username=f"wg{grid.code[1:]}", first_name=_person(self.rng), role=Role.GRID,
                                    grid=grid, township=town) for _, grid, _ in vgs]
        User.objects.bulk_create(users)
        self.report.add("officers", len(users))

    # --- enterprises -----------------------------------------------------------------------
    def _pick_places(self, areas) -> list[tuple[Township, Village, Grid, list]]:
        weights, places = [], []
        for town, weight, vgs in areas:
            for village, grid, cell in vgs:
                places.append((town, village, grid, cell))
                weights.append(weight / len(vgs))
        return self.rng.choices(places, weights=weights, k=self.n)

    def build_enterprises(self, areas) -> None:
        industries = {i.code: i for i in Industry.objects.filter(code__in=INDUSTRY_PROFILES)}
        pollutants = {p.code: p for p in Pollutant.objects.all()}
        codes = list(INDUSTRY_PROFILES)
        industry_weights = [INDUSTRY_PROFILES[c][0] for c in codes]
        places = self._pick_places(areas)
        used_serials: set[str] = set()
        done = 0
        for start in range(0, self.n, self.chunk):
            batch = places[start:start + self.chunk]
            with transaction.atomic():
                self._build_chunk(batch, industries, pollutants, codes, industry_weights, used_serials, start)
            done += len(batch)
            self.progress(done)

    def _serial(self, used: set[str]) -> str:
        while True:
            serial = "MA" + "".join(self.rng.choice(CREDIT_CODE_ALPHABET[:30]) for _ in range(6))
            if serial not in used:
                used.add(serial)
                return serial

    def _build_chunk(self, places, industries, pollutants, codes, industry_weights, used_serials, offset):
        rng = self.rng
        ents, profiles = [], []
        for k, (town, village, grid, cell) in enumerate(places):
            code = rng.choices(codes, weights=industry_weights)[0]
            profile = INDUSTRY_PROFILES[code]
            key_share = profile[1]
            roll = rng.random()
            klass = "key" if roll < key_share else ("simplified" if roll < key_share + 0.3 else "registration")
            lon, lat = _random_point_in(rng, cell)
            word = INDUSTRY_WORDS.get(code[:3], "实业")
            name = f"桐乡市{town.name[:2]}{rng.choice(COMPANY_WORDS)}{rng.choice(COMPANY_WORDS)}{word}有限公司"
            status = Enterprise.Status.OPERATING if rng.random() > 0.03 else Enterprise.Status.SUSPENDED
            ents.append(Enterprise(
                credit_code=make_credit_code("330483", self._serial(used_serials)),
                name=name,
                industry=industries[code], address=f"浙江省桐乡市{town.name}{village.name}{rng.randint(1, 399)}号",
                latitude=round(lat, 6), longitude=round(lon, 6), township=town, village=village, grid=grid,
                management_class=klass, legal_representative=_person(rng), contact_name=_person(rng),
                contact_phone=f"13{rng.randint(0, 9)}{rng.randint(10_000_000, 99_999_999)}",
                contact_email=f"hb{offset + k + 1:05d}@example.cn", status=status,
            ))
            profiles.append(profile)
        Enterprise.objects.bulk_create(ents)
        self.report.add("enterprises", len(ents))

        permits = []
        # Permits in trouble, drawn apart so the rest of the county stays as it was: about 2 % lapsed
        # without renewal, 1 % suspended.
        standing = random.Random(f"permit-standing-{self.n}")
        for ent in ents:
            issued = self.today - dt.timedelta(days=rng.randint(30, 5 * 365 - 30))
            trouble = standing.random()
            if trouble < 0.02:
                issued = self.today - dt.timedelta(days=5 * 365 + standing.randint(10, 200))
            expires = issued + dt.timedelta(days=5 * 365)
            status = Permit.Status.VALID if expires > self.today else Permit.Status.EXPIRED
            if 0.02 <= trouble < 0.03:
                status = Permit.Status.SUSPENDED
            suffix = "W" if ent.management_class == "registration" else "P"
            permits.append(Permit(enterprise=ent, number=f"{ent.credit_code}001{suffix}",
                                  management_class=ent.management_class, issued_on=issued, valid_from=issued,
                                  expires_on=expires, status=status, issuing_authority="嘉兴市生态环境局桐乡分局"))
        Permit.objects.bulk_create(permits)
        self.report.add("permits", len(permits))

        outlets, outlet_specs = [], []
        for ent, permit, profile in zip(ents, permits, profiles):
            _, _, has_water, air_codes, water_codes = profile
            key = ent.management_class == "key"
            n_air = 0 if not air_codes else (rng.randint(1, 3) if key else rng.randint(0, 2))
            if ent.management_class == "registration":
                n_air = min(n_air, 1)
            for i in range(1, n_air + 1):
                outlets.append(Outlet(permit=permit, enterprise=ent, code=f"DA{i:03d}", name=f"{i}#废气排放口",
                                      kind="air", is_main=key and i == 1, online_monitored=key and i == 1,
                                      latitude=round(ent.latitude + rng.uniform(-3e-4, 3e-4), 6),
                                      longitude=round(ent.longitude + rng.uniform(-3e-4, 3e-4), 6),
                                      height_m=rng.choice([15, 20, 25, 30, 45, 60])))
                outlet_specs.append((air_codes, key))
            if has_water and water_codes and ent.management_class != "registration":
                outlets.append(Outlet(permit=permit, enterprise=ent, code="DW001", name="废水总排口", kind="water",
                                      is_main=key, online_monitored=key or rng.random() < 0.2,
                                      latitude=round(ent.latitude + rng.uniform(-3e-4, 3e-4), 6),
                                      longitude=round(ent.longitude + rng.uniform(-3e-4, 3e-4), 6)))
                outlet_specs.append((water_codes, key))
        Outlet.objects.bulk_create(outlets)
        self.report.add("outlets", len(outlets))

        limits, duties, facilities = [], [], []
        for outlet, (pcodes, key) in zip(outlets, outlet_specs):
            for pcode in pcodes:
                key_limit, other_limit, period, standard = LIMITS[pcode]
                value = key_limit if key else other_limit
                pollutant = pollutants[pcode]
                limits.append(PermitLimit(outlet=outlet, pollutant=pollutant, limit_value=Decimal(str(value)),
                                          lower_limit=Decimal("6") if pcode == "w01001" else None,
                                          unit=pollutant.unit, averaging_period=period, standard=standard,
                                          annual_quantity=_annual_quantity(outlet, pcode, value, key)))
                online = outlet.online_monitored and pcode in ("w01018", "w21003", "w01001", "a21026", "a21002",
                                                               "a34013", "a24088")
                duties.append(MonitoringDuty(
                    permit=outlet.permit, outlet=outlet, pollutant=pollutant,
                    method="online" if online else "manual",
                    frequency="continuous" if online else rng.choice(["monthly", "quarterly", "semiannual", "annual"])))
            process = {"air": rng.choice(["布袋除尘", "活性炭吸附", "RTO焚烧", "喷淋塔+UV光解", "SCR脱硝"]),
                       "water": rng.choice(["物化+生化处理", "A/O工艺", "混凝沉淀", "MBR膜处理"])}[outlet.kind]
            facilities.append(TreatmentFacility(permit=outlet.permit, outlet=outlet, name=f"{outlet.code}治理设施",
                                                process=process))
        PermitLimit.objects.bulk_create(limits)
        MonitoringDuty.objects.bulk_create(duties)
        TreatmentFacility.objects.bulk_create(facilities)
        self.report.add("limits", len(limits))
        self.report.add("monitoring duties", len(duties))
        self.report.add("treatment facilities", len(facilities))

        items, reports, accounts = [], [], []
        for ent, permit, profile in zip(ents, permits, profiles):
            items.append(PermitItem(permit=permit, category="records", title="环境管理台账记录",
                                    requirement="按要求记录生产设施、治理设施运行及监测台账，保存不少于5年"))
            items.append(PermitItem(permit=permit, category="solid_waste", title="一般工业固体废物贮存与转移",
                                    requirement="分类贮存，建立台账，委托有资质单位利用处置"))
            items.append(PermitItem(permit=permit, category="noise", title="厂界噪声",
                                    requirement="昼间≤65 dB(A)，夜间≤55 dB(A)"))
            if profile[2] or ent.industry.code[:3] in ("C26", "C33", "N77", "C39"):
                items.append(PermitItem(permit=permit, category="hazardous_waste", title="危险废物规范化管理",
                                        requirement="危废贮存库标识规范，转移执行联单制度"))
            if ent.management_class != "registration":
                items.append(PermitItem(permit=permit, category="reporting", title="排污许可执行报告",
                                        requirement="按时提交年度执行报告" +
                                                    ("及季度执行报告" if ent.management_class == "key" else "")))
                items.append(PermitItem(permit=permit, category="information", title="信息公开",
                                        requirement="在全国排污许可证管理信息平台公开排放信息"))
                reports += self._reports(permit, ent.management_class)
            accounts.append(self._account(username=ent.credit_code, first_name=ent.contact_name,
                                          role=Role.ENTERPRISE, enterprise=ent, email=ent.contact_email))
        PermitItem.objects.bulk_create(items)
        ExecutionReport.objects.bulk_create(reports)
        User.objects.bulk_create(accounts)
        self.report.add("permit items", len(items))
        self.report.add("execution reports", len(reports))
        self.report.add("enterprise accounts", len(accounts))

    def _reports(self, permit: Permit, klass: str) -> list[ExecutionReport]:
        rng = self.rng
        out = []
        last_year = self.today.year - 1
        periods = [("annual", dt.date(last_year, 1, 1), dt.date(last_year, 12, 31), dt.date(last_year + 1, 1, 15))]
        if klass == "key":
            for q in range(1, 5):
                start = dt.date(self.today.year, 3 * q - 2, 1)
                end = (dt.date(self.today.year, 3 * q + 1, 1) if q < 4 else dt.date(self.today.year + 1, 1, 1)) \
                    - dt.timedelta(days=1)
                due = end + dt.timedelta(days=15)
                if due < self.today:
                    periods.append(("quarterly", start, end, due))
        for kind, start, end, due in periods:
            if start < permit.valid_from:
                continue
            roll = rng.random()
            if roll < 0.85:
                submitted = due - dt.timedelta(days=rng.randint(0, 14))
            elif roll < 0.95:
                submitted = due + dt.timedelta(days=rng.randint(1, 30))
            else:
                submitted = None
            if submitted and submitted > self.today:
                submitted = self.today
            # Whether a report agrees with the monitoring data is computed by the eco-code from the emissions
            # it declares (ecocode.ReportedEmission, seeded by ecocode's demo) and the devices' -Cou.
            out.append(ExecutionReport(permit=permit, kind=kind, period_start=start, period_end=end, due_on=due,
                                       submitted_on=submitted, is_complete=bool(submitted) and rng.random() < 0.92))
        return out

    def run(self) -> SeedReport:
        areas = self.build_areas()
        self.build_officers(areas)
        self.build_enterprises(areas)
        return self.report


def county_exists() -> bool:
    return Enterprise.objects.exists() or Township.objects.exists()


def reset() -> None:
    """Empty the database (every app's data) and reload every app's reference tables."""
    from django.core.management import call_command

    from core.reference import load_all

    call_command("flush", interactive=False, verbosity=0)
    load_all()


@dataclass(frozen=True)
class Hook:
    """One app's extension of the demo county: ``extend`` in its turn and, if the app has one, its
    ``prepare``, started once the hook of ``prepare_after`` (an app label; None: the enterprises) is done
    and run beside the hooks after it (``core.beside``), finished before ``extend``. A preparation reads
    only what the hooks up to ``prepare_after`` wrote and draws from a random generator of its own, so
    the county is the same whether it ran beside them or in line."""

    app: str
    extend: Callable[[DemoCounty], dict | None]
    prepare: Callable[[DemoCounty], dict | None] | None = None
    prepare_after: str | None = None


def after_seed_hooks() -> list[Hook]:
    """Other apps extend the demo county (devices, scores, work orders...) with a module
    ``<app>/demo_seed.py`` holding ``extend(county) -> dict of counts`` and, optionally,
    ``prepare(county) -> dict of counts`` with ``PREPARE_AFTER``. They run by the module's ``ORDER``
    (default 50), then in INSTALLED_APPS order; a preparation must start before its own hook."""
    from importlib import import_module

    from django.apps import apps
    from django.core.exceptions import ImproperlyConfigured
    from django.utils.module_loading import module_has_submodule

    modules = [(config.label, import_module(f"{config.name}.demo_seed")) for config in apps.get_app_configs()
               if config.name != "enterprises" and module_has_submodule(config.module, "demo_seed")]
    hooks = [Hook(app=label, extend=m.extend, prepare=getattr(m, "prepare", None),
                  prepare_after=getattr(m, "PREPARE_AFTER", None))
             for label, m in sorted(modules, key=lambda lm: getattr(lm[1], "ORDER", 50))]
    order = [hook.app for hook in hooks]
    for n, hook in enumerate(hooks):
        if hook.prepare and hook.prepare_after is not None and hook.prepare_after not in order[:n]:
            raise ImproperlyConfigured(f"{hook.app}'s demo preparation waits for {hook.prepare_after!r}, "
                                       f"which is not a demo hook before it")
    return hooks
