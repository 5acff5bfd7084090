"""The lifecycle of transfer warnings, run by beat every 5 minutes: ``transfers_check(now)``.

The same life as a monitoring warning (``alerts.services.evaluation``), with the same timing rules
(``alerts.policy``), the same timings (``alerts.AlertSettings``) and seams (``notifications.services.notify_many``,
``core.escalation``): a finding with no open warning opens one and notifies the producing enterprise
and the officers of its township at once, again every ``repeat_minutes`` until acknowledged;
``escalate_minutes`` after opening, if the condition still holds, it becomes an alarm with a work order
opened through the escalation seam (dispatch's handler, idempotent per warning). A warning whose
condition is gone (e.g. the missing positions were uploaded) resolves after ``resolve_hold_minutes``,
and the "resolved" message goes out once. The check runs in one transaction under an advisory lock.
"""
import logging
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from alerts import policy as alert_policy
from alerts.messages import township_officers
from alerts.models import AlertSettings
from core import clock, escalation
from core.db import advisory_lock
from enterprises.jurisdiction import can_access_enterprise
from enterprises.models import Role
from notifications.services import Message, notify_many

from ..models import OPEN_STATES, TransferSettings, WasteAlert, WasteAlertEvent, WasteAlertState, WasteRule
from . import checks

log = logging.getLogger(__name__)

CHECK_LOCK = 808_000_001  # pg advisory lock key of the transfer check
Event = WasteAlertEvent.Kind

RULE_TEXT = {
    WasteRule.TRAJECTORY_MISSING: "运输轨迹缺失，请整改", WasteRule.ROUTE_DEVIATION: "运输路线偏离或异常停留",
    WasteRule.QUANTITY_MISMATCH: "接收量与转移量不符", WasteRule.RECEIVER_NOT_PERMITTED: "接收单位无该类别接收资质",
    WasteRule.OVERDUE_ARRIVAL: "逾期未到达", WasteRule.REFUSED: "被接收单位拒收",
}
UPDATE_FIELDS = ["state", "last_seen_at", "clear_since", "evidence", "last_notified_at", "notify_count", "is_alarm",
                 "escalated_at", "work_order", "resolved_at"]


@dataclass
class CheckResult:
    checked: int = 0
    opened: int = 0
    resolved: int = 0
    notified: int = 0
    escalated: int = 0
    skipped: bool = False


def describe(alert: WasteAlert) -> str:
    m = alert.manifest
    line = f"{alert.enterprise.name} 转移联单 {m.number}（{m.category.code} {m.category.name}，车辆 {m.vehicle.plate}）" \
           f"{RULE_TEXT[alert.rule]}"
    ev = alert.evidence
    if alert.rule == WasteRule.TRAJECTORY_MISSING:
        line += f"：{ev.get('longest_gap_minutes')} 分钟无定位（允许 {ev.get('gap_minutes')} 分钟）"
    elif alert.rule == WasteRule.QUANTITY_MISMATCH:
        line += f"：转移 {ev.get('shipped')} {ev.get('unit')}，接收 {ev.get('received')} {ev.get('unit')}"
    elif alert.rule == WasteRule.OVERDUE_ARRIVAL:
        line += f"：超出计划到达时间 {ev.get('late_minutes')} 分钟"
    elif alert.rule == WasteRule.REFUSED:
        line += f"：{ev.get('reason', '')}"
    elif alert.rule == WasteRule.ROUTE_DEVIATION and "farthest" in ev:
        line += f"：偏离直线路线 {ev['farthest']['km']} 公里"
    elif alert.rule == WasteRule.ROUTE_DEVIATION and "stop" in ev:
        line += f"：途中停留 {ev['stop']['minutes']} 分钟"
    return line


def _messages(alert: WasteAlert, kind: str, subject: str, key: str, officers: dict[int, list]) -> list[Message]:
    url = reverse("waste:manifest-detail", args=[alert.manifest_id])
    body = describe(alert)
    ref = alert.source_ref
    out = [Message(kind=f"waste.{kind}", subject=subject, body=body, enterprise=alert.enterprise, url=url,
                   source=ref, dedup_key=f"{ref}:{key}")]
    out += [Message(kind=f"waste.{kind}", subject=subject, body=body, user=officer, url=url, source=ref,
                    dedup_key=f"{ref}:{key}:u{officer.pk}")
            for officer in officers.get(alert.enterprise.township_id, [])]
    return out


def _lock() -> bool:
    return advisory_lock("waste.transfers_check", wait=False)


def transfers_check(now: datetime | None = None) -> CheckResult:
    """One check cycle over every shipment in scope at ``now`` (default: the clock)."""
    now = now or clock.now()
    cfg, timing = TransferSettings.current(), AlertSettings.current()
    result = CheckResult()
    with transaction.atomic():
        if not _lock():
            log.warning("transfer check at %s skipped: another one is running", now)
            result.skipped = True
            return result
        open_alerts = list(WasteAlert.objects.filter(state__in=OPEN_STATES)
                           .select_related("manifest__category", "manifest__vehicle", "enterprise"))
        scope = checks.scope_ids(now, cfg, {a.manifest_id for a in open_alerts})
        result.checked = len(scope)
        findings = checks.detect(now, cfg, scope)
        by_key = {(a.manifest_id, a.rule): a for a in open_alerts}
        closed = set(WasteAlert.objects.filter(state=WasteAlertState.CLOSED, manifest_id__in=list(scope))
                     .values_list("manifest_id", "rule"))  # staff closed it: the same fact is not raised again
        events: list[WasteAlertEvent] = []

        created = WasteAlert.objects.bulk_create([
            WasteAlert(manifest_id=f.manifest_id, enterprise_id=f.enterprise_id, rule=f.rule, opened_at=now,
                       last_seen_at=now, evidence=f.evidence)
            for key, f in findings.items() if key not in by_key and key not in closed])
        new = list(WasteAlert.objects.filter(pk__in=[a.pk for a in created])
                   .select_related("manifest__category", "manifest__vehicle", "enterprise"))
        events += [WasteAlertEvent(alert=a, kind=Event.OPENED, at=now) for a in new]
        result.opened = len(new)

        resolved = []
        for alert in open_alerts:
            finding = findings.get((alert.manifest_id, alert.rule))
            if finding is not None:
                alert.evidence, alert.last_seen_at = finding.evidence, now
                if alert.clear_since is not None:
                    alert.clear_since = None
                    events.append(WasteAlertEvent(alert=alert, kind=Event.RECURRED, at=now))
                continue
            if alert.clear_since is None:
                alert.clear_since = now
                events.append(WasteAlertEvent(alert=alert, kind=Event.CLEARED, at=now))
            if alert_policy.resolve_due(clear_since=alert.clear_since, now=now, hold=timing.resolve_hold):
                alert.state, alert.resolved_at = WasteAlertState.RESOLVED, now
                events.append(WasteAlertEvent(alert=alert, kind=Event.RESOLVED, at=now))
                resolved.append(alert)
        result.resolved = len(resolved)

        live = [a for a in [*open_alerts, *new] if a.state != WasteAlertState.RESOLVED]
        officers = township_officers({a.enterprise.township_id for a in [*live, *resolved]})
        outbox: list[Message] = []
        for alert in live:
            firing = (alert.manifest_id, alert.rule) in findings
            _notify_open(alert, now, timing, firing, officers, events, result, outbox)
        for alert in resolved:
            if alert.notify_count:
                outbox += _messages(alert, "resolved", f"【已恢复】{describe(alert)}", "resolved", officers)
        result.notified = len(notify_many(outbox))
        WasteAlert.objects.bulk_update([*open_alerts, *new], UPDATE_FIELDS, batch_size=500)
        WasteAlertEvent.objects.bulk_create(events, batch_size=1000)
    return result


def _notify_open(alert, now, timing, firing, officers, events, result, outbox) -> None:
    if firing and alert_policy.renotify_due(last_notified_at=alert.last_notified_at,
                                            acknowledged=alert.state == WasteAlertState.ACKNOWLEDGED,
                                            muted=False, now=now, repeat=timing.repeat):
        first = alert.notify_count == 0
        prefix = "【固废转移预警】" if first else f"【第{alert.notify_count + 1}次提醒】"
        outbox += _messages(alert, "opened" if first else "repeat", prefix + describe(alert),
                            f"n{alert.notify_count + 1}", officers)
        alert.notify_count += 1
        alert.last_notified_at = now
        if alert.state == WasteAlertState.OPENED:
            alert.state = WasteAlertState.NOTIFIED
        events.append(WasteAlertEvent(alert=alert, kind=Event.NOTIFIED if first else Event.RENOTIFIED, at=now))
    if alert_policy.escalation_due(opened_at=alert.opened_at, muted_until=None, is_alarm=alert.is_alarm,
                                   firing=firing, muted=False, now=now, escalate_after=timing.escalate_after):
        alert.is_alarm, alert.escalated_at = True, now
        alert.work_order = escalation.escalate(escalation.Escalation(
            source="alert", source_ref=alert.source_ref, enterprise=alert.enterprise,
            title=f"报警：{describe(alert)}"[:200],
            description=f"固废转移预警于 {alert.opened_at:%Y-%m-%d %H:%M} 产生，{now - alert.opened_at} 内未消除，升级为报警。",
            evidence={"waste_alert": alert.pk, "manifest": alert.manifest.number, "rule": alert.rule,
                      "opened_at": alert.opened_at.isoformat(), "detail": alert.evidence}))
        outbox += _messages(alert, "alarm", f"【报警】{describe(alert)}", "alarm", officers)
        events.append(WasteAlertEvent(alert=alert, kind=Event.ESCALATED, at=now,
                                      note=f"workorder:{alert.work_order.pk}"))
        result.escalated += 1


def waste_alert_acknowledge(alert: WasteAlert, *, user) -> WasteAlert:
    """The producer has seen the warning: re-notifications stop (the escalation clock does not)."""
    if not (user.role == Role.ENTERPRISE and user.enterprise_id == alert.enterprise_id):
        raise PermissionDenied(_("Only the producing enterprise's accounts acknowledge its warnings."))
    now = clock.now()
    with transaction.atomic():
        alert = WasteAlert.objects.select_for_update().get(pk=alert.pk)
        if alert.state not in (WasteAlertState.OPENED, WasteAlertState.NOTIFIED):
            raise ValidationError(_("Only an open, unacknowledged warning can be acknowledged."))
        alert.state, alert.acknowledged_at, alert.acknowledged_by = WasteAlertState.ACKNOWLEDGED, now, user
        alert.save(update_fields=["state", "acknowledged_at", "acknowledged_by"])
        WasteAlertEvent.objects.create(alert=alert, kind=Event.ACKNOWLEDGED, at=now, actor=user)
    return alert


def waste_alert_close(alert: WasteAlert, *, user, reason: str) -> WasteAlert:
    """Staff with jurisdiction close a warning with a reason (e.g. the load was re-shipped)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("A reason is needed to close a warning."))
    if not (user.is_authenticated and user.role != Role.ENTERPRISE and can_access_enterprise(user, alert.enterprise)):
        raise PermissionDenied(_("Only staff with jurisdiction over the enterprise close its warnings."))
    now = clock.now()
    with transaction.atomic():
        alert = WasteAlert.objects.select_for_update().get(pk=alert.pk)
        if not alert.is_open:
            raise ValidationError(_("This warning is no longer open."))
        alert.state, alert.resolved_at, alert.closed_by, alert.close_reason = WasteAlertState.CLOSED, now, user, reason
        alert.save(update_fields=["state", "resolved_at", "closed_by", "close_reason"])
        WasteAlertEvent.objects.create(alert=alert, kind=Event.CLOSED, at=now, actor=user, note=reason)
    return alert
