"""Reads of the warning pages: warnings and maintenance windows a user may see."""
from django.db.models import QuerySet

from core import clock
from enterprises.jurisdiction import is_county_wide, restrict
from enterprises.models import Outlet, Role
from monitoring.models import Device, DeviceCommand

from .models import OPEN_STATES, Alert, Rule, Silence


def visible_alerts(user, *, open_only: bool = True) -> QuerySet:
    """Warnings of the enterprises ``user`` may see, newest first."""
    qs = restrict(Alert.objects.select_related("outlet", "enterprise", "pollutant"), user, "enterprise")
    return qs.filter(state__in=OPEN_STATES) if open_only else qs


def visible_silences(user, *, current_only: bool = True) -> QuerySet:
    """Maintenance windows of the visible enterprises; by default those not yet over."""
    qs = restrict(Silence.objects.select_related("outlet", "enterprise", "created_by", "cancelled_by"), user)
    if current_only:
        qs = qs.filter(ends_at__gt=clock.now(), cancelled_at__isnull=True)
    return qs


def silences_of_outlet(outlet_id: int) -> QuerySet:
    """All maintenance windows of an outlet still to come or running (shown on the warning page)."""
    return Silence.objects.filter(outlet_id=outlet_id, ends_at__gt=clock.now(), cancelled_at__isnull=True) \
        .select_related("created_by")


def silenceable_outlets(user) -> QuerySet:
    """Outlets ``user`` may declare a maintenance window for (its own enterprise's, or all for county staff)."""
    qs = Outlet.objects.filter(online_monitored=True).select_related("enterprise")
    if is_county_wide(user):
        return qs
    if getattr(user, "role", None) == Role.ENTERPRISE and user.enterprise_id:
        return qs.filter(enterprise_id=user.enterprise_id)
    return qs.none()


def loggers_of_missing(alert) -> list[dict]:
    """For a missing-data warning: each active logger of its outlet with its last data and last contact,
    whether it is still in contact (heartbeats, running status) while sending no data, and its latest
    history request (补传)."""
    if alert.rule != Rule.MISSING_DATA:
        return []
    devices = list(Device.objects.filter(outlet_id=alert.outlet_id, is_active=True).order_by("mn"))
    requests = {}
    for command in DeviceCommand.objects.filter(device__in=devices).order_by("created_at", "pk"):
        requests[command.device_id] = command  # the latest of each logger
    return [{"mn": d.mn, "data_at": d.last_seen_at, "contact_at": d.last_contact_at,
             "contact_only": d.last_contact_at is not None and (d.last_seen_at is None
                                                                 or d.last_contact_at > d.last_seen_at),
             "request": requests.get(d.pk)} for d in devices]
