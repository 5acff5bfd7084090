"""Writes of the warning half of monitoring: the 5-minute evaluation and the use cases of people.

``evaluate(now)`` runs the rules for the whole county (``monitoring.alert_rules``, a few set-based
queries), then walks the open warnings and the new findings (a few hundred rows, not the outlets):

* a finding with no open warning opens one; repeated findings update it (``last_seen_at``, value);
* inhibition: while an outlet has an open missing-data or device-flag warning, its exceedance and
  near-limit findings open nothing new, and its open ones are muted and frozen (no data is not good data);
* an approved maintenance window (``Silence``) mutes notifications and the escalation clock, never the
  recording; an enterprise's window longer than ``self_approved_silence_minutes`` awaits approval;
* notification: at once on opening, again every ``repeat_minutes`` until acknowledged; the escalation
  to an alarm (with its work order) comes ``escalate_minutes`` after opening whether acknowledged or not;
* flap damping: a warning whose condition clears only resolves after ``resolve_hold_minutes`` of clear
  evaluations; if the condition comes back in between, the same warning goes on;
* the "resolved" (or "closed") message is sent exactly once (``notify``'s ``dedup_key``).

Every change is logged as an ``AlertEvent``. The evaluation runs in one transaction under a
PostgreSQL advisory lock, so two overlapping beat runs never both act.
"""
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from dispatch.services import open_work_order
from enforcement import clock
from enterprises.jurisdiction import can_access_enterprise, is_bureau
from enterprises.models import Outlet, Role, User

from .. import alert_policy, alert_rules
from ..alert_selectors import silenceable_outlets
from ..models.alerts import (
    INHIBITED_RULES, INHIBITING_RULES, OPEN_STATES, Alert, AlertEvent, AlertSettings, AlertState, Rule, Silence,
)
from ..notifications import Message, notify_many
from .exceedances import record_exceedances

log = logging.getLogger(__name__)

EVALUATION_LOCK = 212_000_003  # pg advisory lock key of the evaluation
Event = AlertEvent.Kind

UPDATE_FIELDS = ["state", "last_seen_at", "clear_since", "recurrences", "value", "peak_value", "limit_value",
                 "evidence", "muted", "muted_until", "last_notified_at", "notify_count", "is_alarm", "escalated_at",
                 "work_order", "resolved_at", "resolved_message_sent"]

PERIOD_TEXT = {"instant": "瞬时值 ", "half_hour": "半小时均值 ", "hour": "小时均值 ", "day": "日均值 "}
FLAG_TEXT = {"F": "停运", "M": "维护", "S": "手工输入", "D": "故障", "C": "校准", "T": "超测量上限", "B": "通讯异常"}

RULE_TEXT = {
    Rule.EXCEEDANCE: "超标", Rule.NEAR_LIMIT: "接近排放限值", Rule.MISSING_DATA: "数据缺失",
    Rule.FLAT_LINE: "数据恒值/零值", Rule.DEVICE_FLAG: "设备故障或维护标记",
}


@dataclass
class EvaluationResult:
    opened: int = 0
    updated: int = 0
    resolved: int = 0
    notified: int = 0
    escalated: int = 0
    muted: int = 0
    exceedances: int = 0
    skipped: bool = False
    counts: dict = field(default_factory=dict)


def _is_worse(alert: Alert, value: float | None) -> bool:
    if value is None:
        return False
    if alert.peak_value is None:
        return True
    if alert.rule == Rule.EXCEEDANCE and alert.limit_value is not None and alert.peak_value < alert.limit_value:
        return value < alert.peak_value  # below a lower limit (pH): lower is worse
    return value > alert.peak_value


def _describe(alert: Alert) -> str:
    outlet = alert.outlet
    what = f"{alert.pollutant.name}（{alert.pollutant.code}）" if alert.pollutant_id else ""
    line = f"{alert.enterprise.name} {outlet.code} {outlet.name} {what}{RULE_TEXT[alert.rule]}"
    if alert.value is not None and alert.limit_value is not None:
        unit = alert.evidence.get("unit") or (alert.pollutant.unit if alert.pollutant_id else "")
        unit = f" {unit}" if unit and unit != "无量纲" else ""
        period = PERIOD_TEXT.get(alert.evidence.get("averaging_period"), "")
        line += f"：{period}{alert.value:.4g}{unit}（限值 {alert.limit_value:g}{unit}）"
        projected = alert.evidence.get("projected")
        if alert.rule == Rule.EXCEEDANCE and projected is not None and alert.limit_value is not None \
                and alert.value <= alert.limit_value < projected:
            line += f"，按当前趋势本时段均值将达 {projected:.4g}{unit}"
    elif alert.rule == Rule.DEVICE_FLAG:
        what = [FLAG_TEXT.get(flag, flag) for flag in sorted(alert.evidence.get("flags", {}))]
        line += f"：{'、'.join(what + alert.evidence.get('status_text', []))}"
    elif alert.rule == Rule.MISSING_DATA:
        line += f"：最后数据 {alert.evidence.get('last_data_at') or '无'}"
    return line


def _url(alert: Alert) -> str:
    return reverse("monitoring:alert-detail", args=[alert.pk])


def _message(alert: Alert, kind: str, subject: str, key: str) -> Message:
    return Message(kind=f"alert.{kind}", subject=subject, body=_describe(alert), enterprise=alert.enterprise,
                   url=_url(alert), source=alert.source_ref, dedup_key=f"{alert.source_ref}:{key}")


def _send(alert: Alert, kind: str, subject: str, key: str) -> bool:
    return bool(notify_many([_message(alert, kind, subject, key)]))


def _lock() -> bool:
    if connection.vendor != "postgresql":
        return True
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [EVALUATION_LOCK])
        return cursor.fetchone()[0]


def _active_silences(now: datetime) -> dict[int, Silence]:
    silences = {}
    for silence in Silence.objects.filter(starts_at__lte=now, ends_at__gt=now, cancelled_at__isnull=True,
                                          status=Silence.Status.APPROVED).order_by("ends_at"):
        silences[silence.outlet_id] = silence  # the one ending last wins
    return silences


def evaluate(now: datetime | None = None) -> EvaluationResult:
    """One evaluation cycle for the whole county at ``now`` (default: the clock)."""
    now = now or clock.now()
    cfg = AlertSettings.current()
    result = EvaluationResult()
    with transaction.atomic():
        if not _lock():
            log.warning("alert evaluation at %s skipped: another one is running", now)
            result.skipped = True
            return result
        detection = alert_rules.detect(now, cfg)
        open_alerts = list(Alert.objects.filter(state__in=OPEN_STATES)
                           .select_related("outlet", "enterprise", "pollutant"))
        by_key = {(a.outlet_id, a.pollutant_id, a.rule): a for a in open_alerts}
        judged = alert_rules.keys_with_valid_data(
            now, {a.outlet_id for a in open_alerts if a.rule not in INHIBITING_RULES}, detection)
        events: list[AlertEvent] = []

        # 1. new findings open warnings; inhibited ones (see 2.) open nothing.
        inhibiting = {f.outlet_id for f in detection.findings.values() if f.rule in INHIBITING_RULES}
        inhibiting |= {a.outlet_id for a in open_alerts if a.rule in INHIBITING_RULES}
        new = [Alert(outlet_id=f.outlet_id, enterprise_id=f.enterprise_id, pollutant_id=f.pollutant_id, rule=f.rule,
                     opened_at=now, last_seen_at=now, value=f.value, peak_value=f.value, limit_value=f.limit,
                     evidence=f.evidence)
               for key, f in detection.findings.items()
               if key not in by_key and not (f.rule in INHIBITED_RULES and f.outlet_id in inhibiting)]
        if new:
            created = Alert.objects.bulk_create(new)
            new = list(Alert.objects.filter(pk__in=[a.pk for a in created])
                       .select_related("outlet", "enterprise", "pollutant"))
            events += [AlertEvent(alert=a, kind=Event.OPENED, at=now) for a in new]
            result.opened = len(new)

        # 2. open warnings follow their condition: go on, start clearing, come back, or resolve.
        resolved: list[Alert] = []
        for alert in open_alerts:
            key = (alert.outlet_id, alert.pollutant_id, alert.rule)
            finding = detection.findings.get(key)
            if detection.holds(key):
                if finding is not None:
                    alert.value, alert.evidence = finding.value, finding.evidence
                    alert.limit_value = finding.limit if finding.limit is not None else alert.limit_value
                    if _is_worse(alert, finding.value):
                        alert.peak_value = finding.value
                alert.last_seen_at = now
                if alert.clear_since is not None:
                    alert.clear_since = None
                    alert.recurrences += 1
                    events.append(AlertEvent(alert=alert, kind=Event.RECURRED, at=now))
                continue
            if alert.rule in INHIBITED_RULES and alert.outlet_id in inhibiting:
                continue  # frozen while the outlet's data is missing or flagged
            if alert.rule not in INHIBITING_RULES and (alert.outlet_id, alert.pollutant_id) not in judged:
                continue  # no valid data this half-hour: nothing says it is over
            if alert.clear_since is None:
                alert.clear_since = now
                events.append(AlertEvent(alert=alert, kind=Event.CLEARED, at=now))
            if alert_policy.resolve_due(clear_since=alert.clear_since, now=now, hold=cfg.resolve_hold):
                alert.state, alert.resolved_at = AlertState.RESOLVED, now
                events.append(AlertEvent(alert=alert, kind=Event.RESOLVED, at=now))
                resolved.append(alert)
        result.updated = len(open_alerts) - len(resolved)
        result.resolved = len(resolved)

        # 3. mute, notify, escalate.
        silences = _active_silences(now)
        outbox: list[Message] = []
        for alert in [*open_alerts, *new]:
            if alert.state == AlertState.RESOLVED:
                continue
            _notify_open(alert, now, cfg, detection, silences, inhibiting, events, result, outbox)
        for alert in resolved:
            if alert.notify_count:
                outbox.append(_message(alert, "resolved", f"【已恢复】{_describe(alert)}", "resolved"))
                alert.resolved_message_sent = True
        result.notified = len(notify_many(outbox))  # one batch: a cycle may notify a thousand enterprises

        _write([*open_alerts, *new])
        AlertEvent.objects.bulk_create(events, batch_size=1000)
        result.exceedances = record_exceedances(
            detection.judgement, now, {(a.outlet_id, a.pollutant_id, a.rule): a for a in [*open_alerts, *new]})
        result.counts = {rule: sum(1 for k in detection.findings if k[2] == rule) for rule in Rule.values}
    return result


def _write(alerts: list[Alert], batch: int = 1000) -> None:
    """Save the evaluated warnings in a few statements. On PostgreSQL one ``UPDATE .. FROM (VALUES ..)``
    per batch: Django's ``bulk_update`` builds a CASE per field and row, which takes seconds per thousand."""
    if connection.vendor != "postgresql":
        Alert.objects.bulk_update(alerts, UPDATE_FIELDS, batch_size=500)
        return
    fields = [Alert._meta.get_field(name) for name in UPDATE_FIELDS]
    row = "(%s::bigint, " + ", ".join(f"%s::{f.db_type(connection)}" for f in fields) + ")"
    columns = ", ".join(f'"{f.column}"' for f in fields)
    assignments = ", ".join(f'"{f.column}" = v."{f.column}"' for f in fields)
    with connection.cursor() as cursor:
        for i in range(0, len(alerts), batch):
            chunk = alerts[i:i + batch]
            params = [p for a in chunk for p in (a.pk, *(f.get_db_prep_save(getattr(a, f.attname), connection)
                                                        for f in fields))]
            cursor.execute(f'UPDATE "{Alert._meta.db_table}" AS a SET {assignments} '
                           f'FROM (VALUES {", ".join([row] * len(chunk))}) AS v(id, {columns}) WHERE a.id = v.id',
                           params)


def _notify_open(alert, now, cfg, detection, silences, inhibiting, events, result, outbox) -> None:
    silence = silences.get(alert.outlet_id)
    was_muted = alert.muted
    if silence is not None:
        alert.muted, alert.muted_until = "silence", silence.ends_at
    elif alert.rule in INHIBITED_RULES and alert.outlet_id in inhibiting:
        alert.muted = "inhibited"
    else:
        alert.muted = ""
        if alert.muted_until and alert.muted_until > now:  # the window was cancelled early
            alert.muted_until = now
    if alert.muted:
        result.muted += 1
        if alert.muted != was_muted:
            events.append(AlertEvent(alert=alert, silence=silence, kind=Event.MUTED, at=now,
                                     note=alert.muted))
        return
    firing = detection.holds((alert.outlet_id, alert.pollutant_id, alert.rule))
    if firing and alert_policy.renotify_due(last_notified_at=alert.last_notified_at,
                                            acknowledged=alert.state == AlertState.ACKNOWLEDGED,
                                            muted=False, now=now, repeat=cfg.repeat):
        first = alert.notify_count == 0
        prefix = "【预警】" if first else f"【第{alert.notify_count + 1}次提醒】"
        outbox.append(_message(alert, "opened" if first else "repeat", prefix + _describe(alert),
                               f"n{alert.notify_count + 1}"))
        alert.notify_count += 1
        alert.last_notified_at = now
        if alert.state == AlertState.OPENED:
            alert.state = AlertState.NOTIFIED
        events.append(AlertEvent(alert=alert, kind=Event.NOTIFIED if first else Event.RENOTIFIED, at=now))
    if alert_policy.escalation_due(opened_at=alert.opened_at, muted_until=alert.muted_until, is_alarm=alert.is_alarm,
                                   firing=firing, muted=False, now=now, escalate_after=cfg.escalate_after):
        _escalate(alert, now, events)
        result.escalated += 1


def _escalate(alert: Alert, now: datetime, events: list) -> None:
    alert.is_alarm, alert.escalated_at = True, now
    alert.work_order = open_work_order(
        source="alert", source_ref=alert.source_ref, enterprise=alert.enterprise,
        title=f"报警：{_describe(alert)}"[:200],
        description=f"预警于 {timezone.localtime(alert.opened_at):%Y-%m-%d %H:%M} 产生，"
                    f"{int((now - alert.opened_at).total_seconds() // 60)} 分钟内未恢复，升级为报警。",
        evidence={"alert": alert.pk, "rule": alert.rule, "value": alert.value, "limit": alert.limit_value,
                  "peak": alert.peak_value, "opened_at": alert.opened_at.isoformat(), "detail": alert.evidence},
    )
    _send(alert, "alarm", f"【报警】{_describe(alert)}", "alarm")
    # The township officers in charge of the enterprise hear of it too.
    officers = User.objects.filter(role=Role.TOWNSHIP, township_id=alert.enterprise.township_id, is_active=True)
    notify_many([Message(kind="alert.alarm", subject=f"【报警】{_describe(alert)}", body=_describe(alert), user=officer,
                         url=_url(alert), source=alert.source_ref, dedup_key=f"{alert.source_ref}:alarm:u{officer.pk}")
                 for officer in officers])
    events.append(AlertEvent(alert=alert, kind=Event.ESCALATED, at=now, note=f"workorder:{alert.work_order.pk}"))


# --- use cases of people -----------------------------------------------------------------------

def acknowledge(alert: Alert, user) -> Alert:
    """The enterprise has seen the warning: stop the re-notifications (not the escalation clock)."""
    if not (user.role == Role.ENTERPRISE and user.enterprise_id == alert.enterprise_id):
        raise PermissionDenied(_("Only the enterprise's own accounts acknowledge its warnings."))
    now = clock.now()
    with transaction.atomic():
        alert = Alert.objects.select_for_update().get(pk=alert.pk)
        if alert.state not in (AlertState.OPENED, AlertState.NOTIFIED):
            raise ValidationError(_("Only an open, unacknowledged warning can be acknowledged."))
        alert.state, alert.acknowledged_at, alert.acknowledged_by = AlertState.ACKNOWLEDGED, now, user
        alert.save(update_fields=["state", "acknowledged_at", "acknowledged_by"])
        AlertEvent.objects.create(alert=alert, kind=Event.ACKNOWLEDGED, at=now, actor=user)
    return alert


def close(alert: Alert, user, reason: str) -> Alert:
    """Staff close a warning with a reason (e.g. a false alarm); the enterprise is told once."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("A reason is needed to close a warning."))
    if not (user.is_authenticated and user.role != Role.ENTERPRISE and can_access_enterprise(user, alert.enterprise)):
        raise PermissionDenied(_("Only staff with jurisdiction over the enterprise close its warnings."))
    now = clock.now()
    with transaction.atomic():
        alert = Alert.objects.select_for_update(of=("self",)).select_related("outlet", "enterprise", "pollutant") \
            .get(pk=alert.pk)
        if not alert.is_open:
            raise ValidationError(_("This warning is no longer open."))
        alert.state, alert.resolved_at, alert.closed_by, alert.close_reason = AlertState.CLOSED, now, user, reason
        alert.resolved_message_sent = _send(alert, "closed", f"【已关闭】{_describe(alert)}（{reason[:60]}）", "resolved")
        alert.save(update_fields=["state", "resolved_at", "closed_by", "close_reason", "resolved_message_sent"])
        AlertEvent.objects.create(alert=alert, kind=Event.CLOSED, at=now, actor=user, note=reason)
    return alert


def _may_declare(user, outlet: Outlet) -> bool:
    return silenceable_outlets(user).filter(pk=outlet.pk).exists()


def declare_silence(*, outlet: Outlet, user, starts_at: datetime, ends_at: datetime, reason: str) -> Silence:
    """An enterprise (or county staff) declares a maintenance window for an outlet."""
    if not _may_declare(user, outlet):
        raise PermissionDenied(_("You may not declare a maintenance window for this outlet."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("A maintenance window needs a reason.")})
    now = clock.now()
    cfg = AlertSettings.current()
    problem = alert_policy.silence_problem(starts_at=starts_at, ends_at=ends_at, now=now, longest=cfg.max_silence)
    if problem:
        raise ValidationError(_g(problem) % {"hours": cfg.max_silence_hours})
    needs_approval = user.role == Role.ENTERPRISE and \
        ends_at - starts_at > timedelta(minutes=cfg.self_approved_silence_minutes)
    status = Silence.Status.REQUESTED if needs_approval else Silence.Status.APPROVED
    with transaction.atomic():
        silence = Silence.objects.create(outlet=outlet, enterprise_id=outlet.enterprise_id, starts_at=starts_at,
                                         ends_at=ends_at, reason=reason, created_by=user, created_at=now,
                                         status=status)
        AlertEvent.objects.create(silence=silence, kind=Event.SILENCE_DECLARED, at=now, actor=user,
                                  note=f"{starts_at.isoformat()} – {ends_at.isoformat()}: {reason}"
                                  + ("（待审批）" if needs_approval else ""))
    return silence


def may_decide_silence(user, silence: Silence) -> bool:
    """The township officers of the enterprise's township and the bureau approve maintenance windows."""
    if is_bureau(user):
        return True
    return bool(getattr(user, "is_authenticated", False) and user.role == Role.TOWNSHIP
                and user.township_id == silence.enterprise.township_id)


def decide_silence(silence: Silence, user, *, approve: bool, note: str = "") -> Silence:
    """Approve or reject a requested maintenance window (audited); only an approved one mutes."""
    if not may_decide_silence(user, silence):
        raise PermissionDenied(_("Only the township or the bureau approves maintenance windows."))
    now = clock.now()
    with transaction.atomic():
        silence = Silence.objects.select_for_update().get(pk=silence.pk)
        if silence.status != Silence.Status.REQUESTED:
            raise ValidationError(_("This maintenance window is not awaiting approval."))
        silence.status = Silence.Status.APPROVED if approve else Silence.Status.REJECTED
        silence.decided_by, silence.decided_at, silence.decision_note = user, now, (note or "").strip()
        silence.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        AlertEvent.objects.create(silence=silence, kind=Event.SILENCE_APPROVED if approve else Event.SILENCE_REJECTED,
                                  at=now, actor=user, note=silence.decision_note)
    return silence


def cancel_silence(silence: Silence, user) -> Silence:
    """End a maintenance window early."""
    if not _may_declare(user, silence.outlet):
        raise PermissionDenied(_("You may not cancel this maintenance window."))
    now = clock.now()
    with transaction.atomic():
        silence = Silence.objects.select_for_update().get(pk=silence.pk)
        if silence.cancelled_at is not None or silence.ends_at <= now:
            raise ValidationError(_("This maintenance window is already over."))
        silence.cancelled_at, silence.cancelled_by = now, user
        silence.save(update_fields=["cancelled_at", "cancelled_by"])
        AlertEvent.objects.create(silence=silence, kind=Event.SILENCE_CANCELLED, at=now, actor=user)
    return silence
