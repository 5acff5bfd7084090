"""Warnings past their half hour become alarms with work orders, all of a cycle's at once.

The cycle marks each due warning as an alarm (``alerts.policy.escalation_due``); this opens their
work orders through ``core.escalation.escalate_many`` (set-based in dispatch) and sends every
enterprise's and officer's alarm notice in one ``notify_many``, so a storm of 10,000 escalations
costs a few statements per thousand, not a dozen queries per warning.
"""
from datetime import datetime

from core import escalation
from notifications.services import notify_many

from ..messages import describe, escalation_texts, message, officer_messages, township_officers
from ..models import Alert, AlertEvent


def _item(alert: Alert, now: datetime) -> escalation.Escalation:
    title, description = escalation_texts(alert, now)
    return escalation.Escalation(
        source="alert", source_ref=alert.source_ref, enterprise=alert.enterprise, title=title[:200],
        description=description,
        evidence={"alert": alert.pk, "rule": alert.rule, "value": alert.value, "limit": alert.limit_value,
                  "peak": alert.peak_value, "opened_at": alert.opened_at.isoformat(), "detail": alert.evidence})


def alerts_escalate(alerts: list[Alert], now: datetime, events: list[AlertEvent]) -> None:
    """Open the work orders of ``alerts`` (already marked alarms), tell each enterprise and its
    township's officers, and log the escalations in ``events``."""
    if not alerts:
        return
    orders = escalation.escalate_many([_item(a, now) for a in alerts])
    officers = township_officers(a.enterprise.township_id for a in alerts)
    outbox = []
    for alert, order in zip(alerts, orders):
        alert.is_alarm, alert.escalated_at, alert.work_order = True, now, order
        text = describe(alert)
        outbox.append(message(alert, "alarm", "alarm", text=text))
        outbox += officer_messages(alert, officers.get(alert.enterprise.township_id, []), text)
        events.append(AlertEvent(alert=alert, kind=AlertEvent.Kind.ESCALATED, at=now, note=f"workorder:{order.pk}"))
    notify_many(outbox)
