"""Extends the demo county with four months of waste transfers: two carriers with their trucks, the
thermal power plant that co-burns general solid waste and a licensed hazardous-waste disposer, their
permits, and a few hundred shipments from the county's printing, dyeing and chemical enterprises, each
signed step by step through the services with the clock moved back and its trajectory stored through
the same path as the uploads. A handful of cases go wrong like the reference one (a truck to the power
plant refused because its trajectory was missing; a gap, a detour, a short delivery, a late truck
still on the road, a disposer whose licence for a code was revoked), and the transfer check runs at the
time of each, so the warnings, notifications and work orders are real. The producers' ledgers are
declared month by month, one of them with a shipped quantity that disagrees with its manifests."""
import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone

from core import clock
from enterprises import geometry
from enterprises.models import Enterprise, Grid, Industry, Role, Township, User
from enterprises.validators import make_credit_code

from .models import OPEN_STATES, Facility, LedgerEntry, Manifest, ReceiverPermit, Vehicle, WasteAlert, WasteCategory
from .services import manifests as services
from .services.alerts import transfers_check
from .services.trajectories import Point, gps_points_store

ORDER = 60  # after dispatch (work orders), before the eco-code scoring
DAYS = 120
SPEED_KMH = 36.0
GENERAL_BY_INDUSTRY = {"C17": "SW07", "C22": "SW15", "C23": "SW15", "C26": "SW16", "C33": "SW01", "C13": "SW13"}
HAZARDOUS_BY_INDUSTRY = {"C26": "900-041-49", "C23": "900-252-12", "C33": "336-064-17", "C17": "900-039-49",
                         "C29": "900-249-08", "C21": "900-252-12"}
PLANT_TAKES = ("SW02", "SW03", "SW07", "SW13", "SW15", "SW16", "SW59", "SW01")


def _company(county, name: str, industry: str, town: Township, serial: str) -> tuple[Enterprise, User]:
    """A carrier or receiver the small county lacks, bound like every enterprise to a village and its grid
    of ``town`` and placed between the village and the township's centre (inside the township)."""
    grid = Grid.objects.filter(township=town).select_related("village").order_by("code").first()
    village = grid.village
    lat, lon = (village.latitude + town.latitude) / 2, (village.longitude + town.longitude) / 2
    if not geometry.contains(geometry.from_geojson_polygon(town.boundary), (lon, lat)):
        lat, lon = village.latitude, village.longitude
    ent = Enterprise.objects.create(
        credit_code=make_credit_code("330483", serial), name=name, industry=Industry.objects.get(code=industry),
        latitude=round(lat, 6), longitude=round(lon, 6), township=town, village=village, grid=grid,
        management_class="simplified", contact_name="陈国华", contact_phone="13905731234",
        address=f"浙江省桐乡市{town.name}{village.name}工业园区")
    user = User.objects.create(username=ent.credit_code, first_name=ent.contact_name, role=Role.ENTERPRISE,
                               enterprise=ent, password=county.password_hash)
    return ent, user


def _account(enterprise: Enterprise) -> User:
    user = User.objects.filter(role=Role.ENTERPRISE, enterprise=enterprise).order_by("pk").first()
    return user or User.objects.create(username=enterprise.credit_code, first_name=enterprise.contact_name or "联系人",
                                       role=Role.ENTERPRISE, enterprise=enterprise)


def _track(vehicle, start, a, b, minutes: int, *, skip=(), detour_km: float = 0.0) -> list[Point]:
    """One position a minute from a to b; ``skip`` minutes have none, a detour bows the middle third out."""
    dx, dy = (b[1] - a[1]) * 96.0, (b[0] - a[0]) * 110.57
    norm = (dx * dx + dy * dy) ** 0.5 or 1.0
    points = []
    for k in range(minutes + 1):
        if k in skip:
            continue
        share = k / minutes
        lat, lon = a[0] + (b[0] - a[0]) * share, a[1] + (b[1] - a[1]) * share
        if detour_km and minutes / 3 < k < 2 * minutes / 3:  # off to the left of the straight line
            lat += detour_km * dx / norm / 110.57
            lon -= detour_km * dy / norm / 96.0
        speed = 0.0 if k in (0, minutes) else SPEED_KMH + (k % 7) - 3
        points.append(Point(vehicle.pk, start + dt.timedelta(minutes=k), round(lat, 6), round(lon, 6), speed, 45))
    return points


def _minutes(a, b) -> int:
    km = (((a[0] - b[0]) * 110.57) ** 2 + ((a[1] - b[1]) * 96.0) ** 2) ** 0.5
    return max(15, round(km * 1.3 / SPEED_KMH * 60))


def _ship(spec: dict, tracks: list[Point] | None = None) -> Manifest:
    """Draft, sign, depart, store the trajectory, arrive and receive (or refuse), each at its time. Given
    ``tracks``, the trajectory is added to it for the caller to store with the others in one batch."""
    dep, minutes = spec["departure"], spec["minutes"]
    arrive_at = dep + dt.timedelta(minutes=minutes + spec.get("late", 0))
    with clock.frozen(dep - dt.timedelta(hours=20)):
        manifest = services.manifest_draft(
            user=spec["producer_user"], producer=spec["producer"], category=spec["category"],
            quantity=spec["quantity"], unit=spec["unit"], packaging=spec["packaging"], carrier=spec["carrier"],
            vehicle=spec["vehicle"], receiver=spec["facility"], planned_departure=dep,
            planned_arrival=dep + dt.timedelta(minutes=minutes + 30), number=spec["number"])
        manifest = services.manifest_sign(manifest, user=spec["producer_user"])
    with clock.frozen(dep + dt.timedelta(minutes=2)):
        manifest = services.manifest_depart(manifest, user=spec["carrier_user"], at=dep)
    a, b = (spec["producer"].latitude, spec["producer"].longitude), (spec["facility"].latitude,
                                                                    spec["facility"].longitude)
    if not spec.get("no_track"):
        track = _track(spec["vehicle"], dep, a, b, minutes + spec.get("late", 0), skip=spec.get("skip", ()),
                       detour_km=spec.get("detour_km", 0.0))
        if tracks is None:
            gps_points_store(track, source="jt808")
        else:
            tracks += track
    if spec.get("on_the_road"):
        return manifest
    with clock.frozen(arrive_at + dt.timedelta(minutes=5)):
        manifest = services.manifest_arrive(manifest, user=spec["carrier_user"], at=arrive_at)
    with clock.frozen(arrive_at + dt.timedelta(minutes=25)):
        if spec.get("refuse"):
            return services.manifest_refuse(manifest, user=spec["receiver_user"], reason=spec["refuse"])
        manifest = services.manifest_receive(manifest, user=spec["receiver_user"],
                                             quantity=spec.get("received", manifest.quantity))
    if spec.get("close", True):
        with clock.frozen(arrive_at + dt.timedelta(days=1)):
            manifest = services.manifest_close(manifest, user=spec["producer_user"])
    return manifest


def extend(county) -> dict:
    rng = county.rng
    now = clock.now().replace(second=0, microsecond=0)
    towns = list(Township.objects.order_by("code"))
    plant = Enterprise.objects.filter(industry__code="D4411").order_by("pk").first()
    disposer_ent = Enterprise.objects.filter(industry__code="N7724").order_by("pk").first()
    if plant is None:
        plant, _ = _company(county, "桐乡泰裕热电有限公司", "D4411", towns[0], "WT000001")
    if disposer_ent is None:
        disposer_ent, _ = _company(county, "嘉兴绿源危险废物处置有限公司", "N7724", towns[-1], "WT000002")
    power = Facility.objects.create(name=f"{plant.name}固废掺烧车间", operator=plant, address=plant.address,
                                    latitude=plant.latitude, longitude=plant.longitude)
    disposer = Facility.objects.create(name=f"{disposer_ent.name}焚烧处置中心", operator=disposer_ent,
                                       address=disposer_ent.address, latitude=disposer_ent.latitude,
                                       longitude=disposer_ent.longitude)
    start = (now - dt.timedelta(days=DAYS + 30)).date()
    permits = [ReceiverPermit(facility=power, category=c, number=f"TX-GF-{start.year}-{i:03d}", valid_from=start,
                              valid_until=start.replace(year=start.year + 3), annual_capacity_t=Decimal("60000"))
               for i, c in enumerate(WasteCategory.objects.filter(code__in=PLANT_TAKES), start=1)]
    permits += [ReceiverPermit(facility=disposer, category=c, number=f"3304{start.year}HW{i:03d}", valid_from=start,
                               valid_until=start.replace(year=start.year + 5), annual_capacity_t=Decimal("15000"))
                for i, c in enumerate(WasteCategory.objects.filter(kind="hazardous"), start=1)]
    ReceiverPermit.objects.bulk_create(permits)

    carriers = [_company(county, "桐乡通达危险货物运输有限公司", "N7724", towns[1 % len(towns)], "WT000011"),
                _company(county, "桐乡顺畅固废清运有限公司", "N7724", towns[2 % len(towns)], "WT000012")]
    vehicles = [Vehicle.objects.create(plate=f"浙F{plate}", carrier=carriers[i % 2][0],
                                       terminal_phone=f"1390573{1000 + i:04d}", auth_code=Vehicle.new_auth_code())
                for i, plate in enumerate(("A3821挂", "D5097", "B7716", "C2058", "E6630", "F1942"))]
    plant_user, disposer_user = _account(plant), _account(disposer_ent)

    candidates = list(Enterprise.objects.filter(status=Enterprise.Status.OPERATING)
                      .exclude(pk__in=[plant.pk, disposer_ent.pk, *[c[0].pk for c in carriers]])
                      .select_related("industry").order_by("pk"))
    producers = []
    for ent in candidates:
        prefix = ent.industry.code[:3]
        if prefix in GENERAL_BY_INDUSTRY or prefix in HAZARDOUS_BY_INDUSTRY:
            producers.append(ent)
        if len(producers) == 30:
            break
    categories = WasteCategory.objects.in_bulk(field_name="code")
    accounts = {ent.pk: _account(ent) for ent in producers}

    specs, serial = [], 0
    for day in range(DAYS, 0, -1):
        date = now - dt.timedelta(days=day)
        for _ in range(rng.choice((1, 2, 2, 3))):
            producer = rng.choice(producers)
            prefix = producer.industry.code[:3]
            hazardous = prefix in HAZARDOUS_BY_INDUSTRY and (prefix not in GENERAL_BY_INDUSTRY or rng.random() < 0.4)
            code = HAZARDOUS_BY_INDUSTRY[prefix] if hazardous else GENERAL_BY_INDUSTRY[prefix]
            facility = disposer if hazardous else power
            vehicle = vehicles[serial % len(vehicles)]
            carrier = next(c for c in carriers if c[0].pk == vehicle.carrier_id)
            dep = date.replace(hour=rng.randint(8, 15), minute=rng.choice((0, 15, 30, 45)))
            a, b = (producer.latitude, producer.longitude), (facility.latitude, facility.longitude)
            quantity = Decimal(str(round(rng.uniform(0.8, 6.0), 3) if hazardous else round(rng.uniform(8, 28), 3)))
            serial += 1
            specs.append({"producer": producer, "producer_user": accounts[producer.pk], "category": categories[code],
                          "quantity": quantity, "unit": "t", "packaging": "drums" if hazardous else "bulk",
                          "carrier": carrier[0], "carrier_user": carrier[1], "vehicle": vehicle, "facility": facility,
                          "receiver_user": disposer_user if hazardous else plant_user, "departure": dep,
                          "minutes": _minutes(a, b), "number": f"{dep:%Y%m%d}{serial:06d}"})
    specs.sort(key=lambda s: s["departure"])
    # the vehicles run in turn: keep two shipments of one truck from overlapping in time
    busy_until: dict[int, dt.datetime] = defaultdict(lambda: dt.datetime.min.replace(tzinfo=dt.UTC))
    for spec in specs:
        free = busy_until[spec["vehicle"].pk]
        if spec["departure"] < free:
            spec["departure"] = free + dt.timedelta(minutes=30)
        busy_until[spec["vehicle"].pk] = spec["departure"] + dt.timedelta(minutes=spec["minutes"] + 120)
    specs = [s for s in specs if s["departure"] < now - dt.timedelta(hours=6)]

    general = [s for s in specs if s["facility"] is power]
    hazardous = [s for s in specs if s["facility"] is disposer]
    cases = {}
    if general:
        ref = general[-8]  # the reference case, about a week ago
        ref.update(no_track=True, refuse="车辆运输轨迹缺失，拒收")
        cases["refused, trajectory missing"] = ref
        general[len(general) // 2].update(skip=set(range(5, 5 + 35)), minutes=max(general[len(general) // 2]
                                                                                  ["minutes"], 50))
        cases["gap"] = general[len(general) // 2]
        general[-20].update(detour_km=9.0)
        cases["detour"] = general[-20]
        general[-3].update(received=(general[-3]["quantity"] * Decimal("0.82")).quantize(Decimal("0.001")))
        cases["short delivery"] = general[-3]
    if hazardous:
        late = hazardous[-5]
        late.update(late=150)
        cases["late arrival"] = late
    tracks: list[Point] = []  # stored before any check runs, as uploads would have been
    for spec in specs:
        _ship(spec, tracks)
    gps_points_store(tracks, source="jt808")
    checks_at = sorted(spec["departure"] + dt.timedelta(minutes=spec["minutes"] + spec.get("late", 0) + 40)
                       for spec in cases.values())
    for when in checks_at:  # the check as it ran when each went wrong, in the order of time
        with clock.frozen(when):
            transfers_check(when)
    if hazardous:  # the disposer's licence for one code was revoked this morning; the drums went anyway
        code = hazardous[-1]["category"]
        lapsed = {**hazardous[-1], "departure": now - dt.timedelta(hours=5), "number": f"{now:%Y%m%d}900001",
                  "vehicle": vehicles[0], "carrier": carriers[0][0], "carrier_user": carriers[0][1]}
        _draft_then_lapse(lapsed, disposer, code)
    road = {**general[-1], "departure": now - dt.timedelta(hours=4), "minutes": 60, "late": 180, "on_the_road": True,
            "number": f"{now:%Y%m%d}900002", "vehicle": vehicles[3], "carrier": vehicles[3].carrier,
            "carrier_user": next(c[1] for c in carriers if c[0].pk == vehicles[3].carrier_id)} if general else None
    if road:
        _ship(road)
    transfers_check(now)
    ledgers = _ledgers(producers, now, off_by_one=producers[0] if producers else None)
    return {"waste facilities": 2, "waste vehicles": len(vehicles), "transfer manifests": Manifest.objects.count(),
            "transfer warnings open": WasteAlert.objects.filter(state__in=OPEN_STATES).count(),
            "ledger entries": ledgers}


def _draft_then_lapse(spec: dict, disposer: Facility, code) -> None:
    """Drafted while the licence held, departed after it was revoked."""
    with clock.frozen(spec["departure"] - dt.timedelta(days=2)):
        manifest = services.manifest_draft(
            user=spec["producer_user"], producer=spec["producer"], category=code, quantity=spec["quantity"],
            unit="t", packaging="drums", carrier=spec["carrier"], vehicle=spec["vehicle"], receiver=disposer,
            planned_departure=spec["departure"], planned_arrival=spec["departure"] + dt.timedelta(minutes=90),
            number=spec["number"])
        manifest = services.manifest_sign(manifest, user=spec["producer_user"])
    revoked = timezone.localtime(spec["departure"]).date()  # revoked the morning the drums left
    ReceiverPermit.objects.filter(facility=disposer, category=code).update(revoked_on=revoked)
    with clock.frozen(spec["departure"] + dt.timedelta(minutes=2)):
        manifest = services.manifest_depart(manifest, user=spec["carrier_user"], at=spec["departure"])
    a, b = (spec["producer"].latitude, spec["producer"].longitude), (disposer.latitude, disposer.longitude)
    minutes = _minutes(a, b)
    gps_points_store(_track(spec["vehicle"], spec["departure"], a, b, minutes), source="jt808")
    arrived = spec["departure"] + dt.timedelta(minutes=minutes)
    with clock.frozen(arrived + dt.timedelta(minutes=5)):
        manifest = services.manifest_arrive(manifest, user=spec["carrier_user"], at=arrived)
    with clock.frozen(arrived + dt.timedelta(minutes=20)):
        services.manifest_receive(manifest, user=spec["receiver_user"], quantity=spec["quantity"])


def _ledgers(producers, now, off_by_one) -> int:
    """Each producer declares, per category and month, what it generated, shipped and kept in store."""
    rows = (Manifest.objects.filter(producer__in=producers, departed_at__isnull=False)
            .values_list("producer_id", "category_id", "departed_at__year", "departed_at__month")
            .annotate(t=Sum("quantity")).order_by("producer_id", "category_id", "departed_at__year",
                                                   "departed_at__month"))
    entries, stock = [], defaultdict(lambda: Decimal("2.000"))
    for producer_id, category_id, year, month, shipped in rows:
        key = (producer_id, category_id)
        generated = (shipped * Decimal("1.04")).quantize(Decimal("0.001"))
        stock[key] += generated - shipped
        declared = shipped + (Decimal("3.500") if off_by_one and producer_id == off_by_one.pk and month == now.month
                              else 0)
        entries.append(LedgerEntry(enterprise_id=producer_id, category_id=category_id, month=dt.date(year, month, 1),
                                   generated_t=generated, shipped_t=declared, stored_t=stock[key]))
    LedgerEntry.objects.bulk_create(entries)
    return len(entries)
