"""Storms are one incident: when at least ``ALERT_INCIDENT_SHARE`` of the online-monitored outlets (and
``ALERT_INCIDENT_MIN_OUTLETS``) are silent in the same cycle, the bureau gets one incident instead of
thousands of missing-data warnings and work orders (Alertmanager's grouping and inhibition).

While the incident lasts, the missing-data findings of its outlets open no warning, and the open
missing-data warnings of those outlets are muted ("incident") with their escalation clock stopped, so an
outlet still silent after the incident gets its full time again. Each affected enterprise is told once
(its ``dedup_key``), the bureau at opening and at the end. The incident ends at the first cycle where the
silent share falls below the threshold; the outlets still silent then get their ordinary warnings.
Runs inside the warning cycle's transaction, after detection.
"""
from datetime import datetime

from django.conf import settings
from django.urls import reverse
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from enterprises.models import Enterprise, Outlet, Role, User
from notifications.services import Message, notify_many

from ..models import Incident, Rule


def _bureau_messages(incident: Incident, kind: str, subject: str, text: str) -> list[Message]:
    return [Message(kind=f"alert.incident_{kind}", subject=subject, body=text, user=user,
                    url=reverse("alerts:alert-list"),
                    source=f"incident:{incident.pk}", dedup_key=f"incident:{incident.pk}:{kind}:u{user.pk}")
            for user in User.objects.filter(role=Role.BUREAU, is_active=True)]


def incident_apply(*, findings: dict, now: datetime) -> set[int]:
    """Open, update or end the incident from this cycle's findings; returns the outlets it inhibits."""
    silent = {f.outlet_id: f.enterprise_id for f in findings.values() if f.rule == Rule.MISSING_DATA}
    monitored = Outlet.objects.filter(online_monitored=True, devices__is_active=True).distinct().count()
    storm = len(silent) >= settings.ALERT_INCIDENT_MIN_OUTLETS and len(silent) >= settings.ALERT_INCIDENT_SHARE * monitored
    incident = Incident.objects.filter(resolved_at__isnull=True).first()
    outbox: list[Message] = []
    if not storm:
        if incident is not None:
            incident.resolved_at, incident.outlets, incident.last_seen_at = now, len(silent), now
            incident.save(update_fields=["resolved_at", "outlets", "last_seen_at"])
            outbox += _bureau_messages(incident, "resolved", _("[Incident over] Data arrives again"), _(
                "[Incident over] Data arrives again from most outlets; %(n)d outlets are still silent and get "
                "their own warnings.") % {"n": len(silent)})
            notify_many(outbox)
        return set()
    if incident is None:
        incident = Incident.objects.create(opened_at=now, outlets=len(silent), peak_outlets=len(silent),
                                           monitored_outlets=monitored, last_seen_at=now)
        outbox += _bureau_messages(incident, "opened", _(
            "[Incident] %(n)d of %(total)d outlets silent") % {"n": len(silent), "total": monitored}, _(
            "[Incident] %(n)d of %(total)d online-monitored outlets stopped sending data together since "
            "%(at)s: probably a network or platform outage. Their missing-data warnings are held under this "
            "one incident.") % {"n": len(silent), "total": monitored, "at": f"{localtime(now):%Y-%m-%d %H:%M}"})
    else:
        incident.outlets, incident.last_seen_at = len(silent), now
        incident.peak_outlets = max(incident.peak_outlets, len(silent))
        incident.monitored_outlets = monitored
        incident.save(update_fields=["outlets", "peak_outlets", "monitored_outlets", "last_seen_at"])
    text = _("[Notice] The platform receives no data from many outlets at once since %(at)s, yours among "
             "them: probably a network or platform outage. You need not act on it now; check your data "
             "logger once it is over.") % {"at": f"{localtime(incident.opened_at):%Y-%m-%d %H:%M}"}
    subject = _("[Notice] Outage: no data from your outlets")
    outbox += [Message(kind="alert.incident", subject=subject, body=text, enterprise=enterprise,
                       source=f"incident:{incident.pk}", dedup_key=f"incident:{incident.pk}:e{enterprise.pk}")
               for enterprise in Enterprise.objects.filter(pk__in=set(silent.values()))]
    notify_many(outbox)
    return set(silent)
