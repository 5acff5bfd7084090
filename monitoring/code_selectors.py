"""Reads of the device-code page: the codes devices send that nothing maps yet."""
from django.db.models import Count, Max, Min, OuterRef, QuerySet, Subquery

from enterprises.jurisdiction import enterprise_q, is_county_wide

from .models import Device, HeldValue


def mappable_devices(user) -> QuerySet:
    """Devices whose codes ``user`` may map: those of the enterprises in reach, stations for county staff."""
    if is_county_wide(user):
        return Device.objects.all()
    return Device.objects.filter(enterprise_q(user, "outlet__enterprise"))


def unmapped_codes(user) -> list[dict]:
    """Per device and code: how many values are held, since when, until when and one sample, the
    devices of ``user``'s reach only, most values first."""
    latest = HeldValue.objects.filter(device_id=OuterRef("device_id"), code=OuterRef("code"),
                                      counted_at__isnull=True).order_by("-id").values("values")[:1]
    return list(HeldValue.objects.filter(problem=HeldValue.Problem.UNKNOWN_CODE, counted_at__isnull=True,
                                         device__in=mappable_devices(user))
                .values("device_id", "device__mn", "device__outlet__code", "device__outlet__enterprise__name",
                        "device__station__name", "code")
                .annotate(n=Count("id"), first=Min("received_at"), last=Max("received_at"), sample=Subquery(latest))
                .order_by("-n", "device__mn", "code")[:500])
