"""A small transfer world for the waste tests: a producer, a carrier with a truck, a thermal power plant
permitted for fly ash, their accounts, and a shipment whose positions go through the REST upload."""
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from rest_framework.test import APIClient

from core import clock
from enterprises.models import Enterprise, Industry, Role, User
from tests import factories as f
from waste.models import Facility, Manifest, ReceiverPermit, Vehicle, WasteCategory
from waste.services import manifests as services

BEIJING = dt.timezone(dt.timedelta(hours=8))
T0 = dt.datetime(2026, 11, 20, 9, 0, tzinfo=BEIJING)  # departure of the standard shipment
PRODUCER_AT = (30.600, 120.450)
RECEIVER_AT = (30.700, 120.550)
TRIP = dt.timedelta(minutes=40)


@dataclass
class World:
    producer: Enterprise
    carrier: Enterprise
    plant: Enterprise
    facility: Facility
    vehicle: Vehicle
    ash: WasteCategory
    permit: ReceiverPermit
    producer_user: User
    carrier_user: User
    receiver_user: User
    officer: User


def world() -> World:
    town = f.township("乌镇")
    producer = f.enterprise(town, name="桐乡恒达纺织印染有限公司", latitude=PRODUCER_AT[0], longitude=PRODUCER_AT[1])
    carrier = f.enterprise(town, name="桐乡通达危废运输有限公司", industry=Industry.objects.get(code="N7724"))
    plant = f.enterprise(town, name="桐乡泰裕热电有限公司", industry=Industry.objects.get(code="D4411"),
                         latitude=RECEIVER_AT[0], longitude=RECEIVER_AT[1])
    facility = Facility.objects.create(name="泰裕热电固废掺烧车间", operator=plant, latitude=RECEIVER_AT[0],
                                       longitude=RECEIVER_AT[1])
    ash = WasteCategory.objects.get(code="SW02")
    permit = ReceiverPermit.objects.create(facility=facility, category=ash, number="ZJ-GF-2026-018",
                                           valid_from=dt.date(2026, 1, 1), valid_until=dt.date(2026, 12, 31))
    vehicle = Vehicle.objects.create(plate="浙F12345", carrier=carrier, terminal_phone="13905730001",
                                     auth_code="a1b2c3d4")
    people = [f.user(Role.ENTERPRISE, enterprise=producer), f.user(Role.ENTERPRISE, enterprise=carrier),
              f.user(Role.ENTERPRISE, enterprise=plant), f.user(Role.TOWNSHIP, township=town)]
    for person, name in zip(people, ("沈建国", "王强", "李芳", "周敏")):
        person.first_name = name
        person.save(update_fields=["first_name"])
    return World(producer, carrier, plant, facility, vehicle, ash, permit, *people)


def draft(w: World, *, planned_departure=None, planned_arrival=None, quantity="10.000", category=None) -> Manifest:
    planned_departure = planned_departure or T0 - dt.timedelta(minutes=10)
    manifest = services.manifest_draft(
        user=w.producer_user, producer=w.producer, category=category or w.ash, quantity=Decimal(quantity), unit="t",
        packaging="bulk", carrier=w.carrier, vehicle=w.vehicle, receiver=w.facility,
        planned_departure=planned_departure, planned_arrival=planned_arrival or T0 + dt.timedelta(minutes=60))
    return services.manifest_sign(manifest, user=w.producer_user)


def track(start=T0, minutes: int = 40, every: int = 1) -> list[dict]:
    """Positions from the producer to the receiver, one per ``every`` minutes, standing at both ends."""
    rows = []
    for k in range(0, minutes + 1, every):
        share = k / minutes
        lat = PRODUCER_AT[0] + (RECEIVER_AT[0] - PRODUCER_AT[0]) * share
        lon = PRODUCER_AT[1] + (RECEIVER_AT[1] - PRODUCER_AT[1]) * share
        speed = 0 if k in (0, minutes) else 35.0
        rows.append({"plate": "浙F12345", "at": (start + dt.timedelta(minutes=k)).isoformat(),
                     "latitude": round(lat, 6), "longitude": round(lon, 6), "speed": speed, "direction": 40})
    return rows


def upload(user: User, rows: list[dict]):
    client = APIClient()
    client.force_authenticate(user)
    return client.post("/api/v1/waste/gps/bulk/", rows, format="json")


def ship(w: World, manifest: Manifest, *, rows=None, arrive_after=TRIP, received=None, refuse: str = ""):
    """Depart at T0, upload the positions, arrive, and receive (or refuse) the load."""
    manifest = services.manifest_depart(manifest, user=w.carrier_user, at=T0)
    response = upload(w.carrier_user, track() if rows is None else rows)
    assert response.status_code == 200, response.content
    if arrive_after is None:
        return manifest
    manifest = services.manifest_arrive(manifest, user=w.carrier_user, at=T0 + arrive_after)
    if refuse:
        return services.manifest_refuse(manifest, user=w.receiver_user, reason=refuse)
    return services.manifest_receive(manifest, user=w.receiver_user,
                                     quantity=Decimal(received) if received is not None else manifest.quantity)


def shipment(w: World, day: int, rows_of=lambda rows: rows, *, arrive=True, arrive_after=TRIP, refuse: str = "",
             confirm=True) -> int:
    """A shipment departing ``day`` days after T0 with its positions ``rows_of(track(start))``, each step
    at its own time; returns the manifest's id."""
    start = T0 + dt.timedelta(days=day)
    with clock.frozen(start - dt.timedelta(minutes=20)):
        manifest = draft(w, planned_departure=start - dt.timedelta(minutes=10),
                         planned_arrival=start + dt.timedelta(minutes=60))
    with clock.frozen(start + dt.timedelta(minutes=2)):
        manifest = services.manifest_depart(manifest, user=w.carrier_user, at=start)
    with clock.frozen(start + arrive_after + dt.timedelta(minutes=10)):  # the positions come in after the trip
        rows = rows_of(track(start=start))
        if rows:
            assert upload(w.carrier_user, rows).status_code == 200
    if arrive:
        with clock.frozen(start + arrive_after + dt.timedelta(minutes=5)):
            manifest = services.manifest_arrive(manifest, user=w.carrier_user, at=start + arrive_after)
            if refuse:
                manifest = services.manifest_refuse(manifest, user=w.receiver_user, reason=refuse)
            elif confirm:
                manifest = services.manifest_receive(manifest, user=w.receiver_user, quantity=manifest.quantity)
    return manifest.pk
