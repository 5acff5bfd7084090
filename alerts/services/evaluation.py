"""The 5-minute evaluation: rules, then the lifecycle of every warning (open, notify, repeat, escalate, resolve).

``evaluate(now)`` runs the rules for the whole county (``alerts.rules``, a few set-based
queries), then walks the open warnings and the new findings (a few hundred rows, not the outlets):

* a finding with no open warning opens one; repeated findings update it (``last_seen_at``, value);
* inhibition: while an outlet has an open missing-data or device-flag warning, its exceedance and
  near-limit findings open nothing new, and its open ones are muted and frozen (no data is not good data);
  a device-flag warning whose flags and states all name their pollutant (``evidence["pollutants"]``)
  inhibits those pollutants only;
* storms: when a large share of the outlets go silent together, one ``Incident`` holds their missing-data
  warnings (``incidents``: nothing opens or escalates under it, each enterprise is told once);
* an approved maintenance window (``Silence``) mutes notifications and the escalation clock, never the
  recording; an enterprise's window longer than ``self_approved_silence_minutes`` awaits approval;
* the completed averaging periods over their limit are recorded as ``Exceedance``s (``exceedances``);
* the loggers of the outlets missing data (in a storm too) get a history request (补传) that their HJ 212
  server sends when they are connected again (``monitoring.services.commands``);
* notification: at once on opening, again every ``repeat_minutes`` until acknowledged; the escalation
  to an alarm (with its work order) comes ``escalate_minutes`` after opening whether acknowledged or not;
* flap damping: a warning whose condition clears only resolves after ``resolve_hold_minutes`` of clear
  evaluations; if the condition comes back in between, the same warning goes on;
* the "resolved" (or "closed") message is sent exactly once (``notify``'s ``dedup_key``).

Every change is logged as an ``AlertEvent``. The evaluation runs in one transaction under a
PostgreSQL advisory lock, so two overlapping beat runs never both act. When each step is due is
decided in ``alerts.policy``; the words of the messages are in ``alerts.messages``.
"""
import logging
from dataclasses import dataclass, field
from datetime import datetime

from django.db import connection, transaction

from core import clock
from core.db import advisory_lock, is_postgres
from enterprises.models import Outlet, Pollutant
from monitoring.services.aggregate_backlog import backlog_fold
from monitoring.services.commands import history_requests_open
from notifications.services import Message, notify_many

from .. import instrument_status, policy, rules
from ..messages import message
from ..models import (
    INHIBITED_RULES,
    INHIBITING_RULES,
    OPEN_STATES,
    Alert,
    AlertEvent,
    AlertSettings,
    AlertState,
    Rule,
    Silence,
)
from .escalation import alerts_escalate
from .exceedances import record_exceedances
from .incidents import incident_apply

log = logging.getLogger(__name__)

Event = AlertEvent.Kind

UPDATE_FIELDS = ["state", "last_seen_at", "clear_since", "recurrences", "value", "peak_value", "limit_value",
                 "evidence", "muted", "muted_until", "last_notified_at", "notify_count", "is_alarm", "escalated_at",
                 "work_order", "resolved_at", "resolved_message_sent"]

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


def _active_silences(now: datetime) -> dict[int, Silence]:
    silences = {}
    for silence in Silence.objects.filter(starts_at__lte=now, ends_at__gt=now, cancelled_at__isnull=True,
                                          status=Silence.Status.APPROVED).order_by("ends_at"):
        silences[silence.outlet_id] = silence  # the one ending last wins
    return silences


def evaluate(now: datetime | None = None) -> EvaluationResult:
    """One evaluation cycle for the whole county at ``now`` (default: the clock), on windows that count every
    reading stored before it (the aggregate backlog folded first)."""
    now = now or clock.now()
    backlog_fold()
    cfg = AlertSettings.current()
    result = EvaluationResult()
    with transaction.atomic():
        if not advisory_lock("alerts.evaluation", wait=False):
            log.warning("alert evaluation at %s skipped: another one is running", now)
            result.skipped = True
            return result
        detection = rules.detect(now, cfg)
        storm = incident_apply(findings=detection.findings, now=now)  # outlets held under one incident
        open_alerts = list(Alert.objects.filter(state__in=OPEN_STATES)
                           .select_related("outlet", "enterprise", "pollutant"))
        by_key = {(a.outlet_id, a.pollutant_id, a.rule): a for a in open_alerts}
        judged = rules.keys_with_valid_data(now, {a.outlet_id for a in open_alerts if a.rule not in INHIBITING_RULES})
        events: list[AlertEvent] = []

        # 1. new findings open warnings; inhibited ones (see 2.) open nothing.
        inhibiting = _inhibition(detection, open_alerts)
        new = [Alert(outlet_id=f.outlet_id, enterprise_id=f.enterprise_id, pollutant_id=f.pollutant_id, rule=f.rule,
                     opened_at=now, last_seen_at=now, value=f.value, peak_value=f.value, limit_value=f.limit,
                     evidence=f.evidence)
               for key, f in detection.findings.items()
               if key not in by_key and not _inhibited(f, inhibiting)
               and not (f.rule == Rule.MISSING_DATA and f.outlet_id in storm)]
        if new:
            new = _identify(new)
            events += [AlertEvent(alert=a, kind=Event.OPENED, at=now) for a in new]
            result.opened = len(new)
        # the loggers missing data (in a storm too) are asked for their history when they come back
        history_requests_open(outlet_ids={f.outlet_id for key, f in detection.findings.items()
                                          if f.rule == Rule.MISSING_DATA}, now=now)

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
            if _inhibited(alert, inhibiting):
                continue  # frozen while the outlet's data is missing or flagged
            if alert.rule not in INHIBITING_RULES and (alert.outlet_id, alert.pollutant_id) not in judged:
                continue  # no valid data this half-hour: nothing says it is over
            if alert.clear_since is None:
                alert.clear_since = now
                events.append(AlertEvent(alert=alert, kind=Event.CLEARED, at=now))
            if policy.resolve_due(clear_since=alert.clear_since, now=now, hold=cfg.resolve_hold):
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
            _notify_open(alert, now, cfg, detection, silences, inhibiting, events, result, outbox, storm)
        alerts_escalate([a for a in [*open_alerts, *new] if a.escalated_at == now and a.work_order_id is None],
                        now, events)
        for alert in resolved:
            if alert.notify_count:
                outbox.append(message(alert, "resolved", "resolved"))
                alert.resolved_message_sent = True
        result.notified = len(notify_many(outbox))  # one batch: a cycle may notify a thousand enterprises

        if is_postgres():  # the new ones are written once, in their final state (their ids were taken ahead)
            Alert.objects.bulk_create(new, batch_size=1000)
            _write(open_alerts)
        else:
            _write([*open_alerts, *new])
        AlertEvent.objects.bulk_create(events, batch_size=1000)
        result.exceedances = record_exceedances(
            detection.judgement, now, {(a.outlet_id, a.pollutant_id, a.rule): a for a in [*open_alerts, *new]})
        result.counts = {rule: sum(1 for k in detection.findings if k[2] == rule) for rule in Rule.values}
    return result


def _inhibition(detection: rules.Detection, open_alerts: list[Alert]) -> dict[int, set]:
    """outlet id → what its missing-data and device-flag conditions inhibit: the pollutant ids a device
    flag names, or ``WHOLE_OUTLET``. An open warning whose condition is gone this cycle still inhibits
    with the scope it last had."""
    out: dict[int, set] = {}
    sources = [*detection.findings.values(),
               *(a for a in open_alerts if (a.outlet_id, a.pollutant_id, a.rule) not in detection.findings)]
    for source in sources:
        if source.rule in INHIBITING_RULES:
            named = source.evidence.get("pollutants") if source.rule == Rule.DEVICE_FLAG else None
            out.setdefault(source.outlet_id, set()).update(named if named is not None
                                                           else {instrument_status.WHOLE_OUTLET})
    return out


def _inhibited(item, inhibiting: dict[int, set]) -> bool:
    """Is this finding's or warning's rule inhibited on its outlet and pollutant?"""
    return item.rule in INHIBITED_RULES and instrument_status.covers(inhibiting.get(item.outlet_id), item.pollutant_id)


def _identify(new: list[Alert]) -> list[Alert]:
    """Give the new warnings their ids and their outlet, enterprise and pollutant (the messages name them).
    On PostgreSQL the ids are taken from the table's sequence in one statement and the rows are inserted
    once at the end of the cycle, notified state included (no insert, re-read and update of each); on
    SQLite they are inserted now and read back."""
    if not is_postgres():
        created = Alert.objects.bulk_create(new)
        return list(Alert.objects.filter(pk__in=[a.pk for a in created])
                    .select_related("outlet", "enterprise", "pollutant"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                       [Alert._meta.db_table, len(new)])
        ids = [row[0] for row in cursor.fetchall()]
    outlets = Outlet.objects.select_related("enterprise").in_bulk({a.outlet_id for a in new})
    pollutants = Pollutant.objects.in_bulk({a.pollutant_id for a in new if a.pollutant_id})
    for alert, pk in zip(new, ids):
        alert.pk = pk
        alert.outlet = outlets[alert.outlet_id]
        alert.enterprise = alert.outlet.enterprise
        alert.pollutant = pollutants.get(alert.pollutant_id)
    return new


def _write(alerts: list[Alert], batch: int = 1000) -> None:
    """Save the evaluated warnings in a few statements. On PostgreSQL one ``UPDATE .. FROM (VALUES ..)``
    per batch: Django's ``bulk_update`` builds a CASE per field and row, which takes seconds per thousand."""
    if not is_postgres():
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


def _notify_open(alert, now, cfg, detection, silences, inhibiting, events, result, outbox, storm) -> None:
    silence = silences.get(alert.outlet_id)
    was_muted = alert.muted
    if silence is not None:
        alert.muted, alert.muted_until = "silence", silence.ends_at
    elif alert.rule == Rule.MISSING_DATA and alert.outlet_id in storm:
        alert.muted, alert.muted_until = "incident", now  # the clock restarts when the incident ends
    elif _inhibited(alert, inhibiting):
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
    if firing and policy.renotify_due(last_notified_at=alert.last_notified_at,
                                            acknowledged=alert.state == AlertState.ACKNOWLEDGED,
                                            muted=False, now=now, repeat=cfg.repeat):
        first = alert.notify_count == 0
        kind = "opened" if first else "repeat"
        outbox.append(message(alert, kind, f"n{alert.notify_count + 1}", n=alert.notify_count + 1))
        alert.notify_count += 1
        alert.last_notified_at = now
        if alert.state == AlertState.OPENED:
            alert.state = AlertState.NOTIFIED
        events.append(AlertEvent(alert=alert, kind=Event.NOTIFIED if first else Event.RENOTIFIED, at=now))
    if policy.escalation_due(opened_at=alert.opened_at, muted_until=alert.muted_until, is_alarm=alert.is_alarm,
                                   firing=firing, muted=False, now=now, escalate_after=cfg.escalate_after):
        alert.is_alarm, alert.escalated_at = True, now  # its work order: alerts_escalate, for all at once
        result.escalated += 1
