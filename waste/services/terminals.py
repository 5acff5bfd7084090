"""Writes of the JT/T 808 session: binding a terminal to its vehicle on registration, checking its
authentication code."""
from django.db import transaction

from core import clock

from .. import jt808
from ..models import Vehicle


def terminal_register(*, phone: str, plate: str) -> tuple[int, str]:
    """(0x8100 result, authentication code). A known terminal gets its code again (terminals register
    after every reset); an unbound vehicle with the registered plate is bound to the terminal."""
    with transaction.atomic():
        vehicle = Vehicle.objects.select_for_update().filter(terminal_phone=phone).first()
        if vehicle is None:
            vehicle = Vehicle.objects.select_for_update().filter(plate=plate).first()
            if vehicle is None:
                return jt808.NO_SUCH_VEHICLE, ""
            if vehicle.terminal_phone:
                return jt808.VEHICLE_TAKEN, ""
            vehicle.terminal_phone = phone
        if not vehicle.auth_code:
            vehicle.auth_code = Vehicle.new_auth_code()
        vehicle.registered_at = clock.now()
        vehicle.save(update_fields=["terminal_phone", "auth_code", "registered_at"])
        return jt808.REGISTERED, vehicle.auth_code


def terminal_authenticate(*, phone: str, code: str) -> int | None:
    """The vehicle id of the terminal if the code is its own, else None."""
    if not code:
        return None
    return Vehicle.objects.filter(terminal_phone=phone, auth_code=code).values_list("pk", flat=True).first()
