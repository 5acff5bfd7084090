"""Extends the demo county with the closed loop in motion: last month's self-check notices to key
enterprises (most answered, some with failed lines), this month's inspections by the 33 officers, the
last year's grid patrols of the smaller units (registration and simplified class: nearly every one
visited once, about one in ten not yet), public complaints, and work orders at every stage and age,
all made through the dispatch services with the clock moved back, so deadlines, overdue marks and
officer statistics are real.

The rounds (self-checks, inspections, patrols) read only the enterprises and their permits: they are
built beside the monitoring data and the warnings (``prepare``), with a random generator of their own.
The complaints and the orders' later steps come after both, over every open order in a fixed order
(by source and reference, not by id, which the two sides share)."""
import datetime as dt
import random
import uuid
from collections import defaultdict

from django.utils import timezone

from core import clock
from core.db import statistics_refresh
from enterprises.models import Enterprise, Permit, Role, User

from . import services
from .models import Checklist, ChecklistLine, LineResult, Round, SelfCheckNotice, WorkOrder
from .services import checklists

PREPARE_AFTER = None  # the rounds need only the enterprises and their permits
FAILED_NOTE = "现场发现台账记录不全，需整改"
COMPLAINTS = ["夜间有刺鼻气味，持续两个多小时", "排水口有黄色泡沫流入河道", "厂区烟囱冒黑烟", "设备噪声很大影响休息",
              "厂区门口堆放废料无人清理", "雨水管里流出有颜色的水", "晚上偷偷排放废气，味道很重"]


def _answers(line_ids: list[int], rng, fail_share: float) -> list[dict]:
    """One answer per line, in order: each fails with ``fail_share`` (one draw per line)."""
    out = []
    for line in line_ids:
        failed = rng.random() < fail_share
        out.append({"line": line, "result": "fail" if failed else "pass", "note": FAILED_NOTE if failed else ""})
    return out


def _line_ids(checklist: Checklist) -> list[int]:
    return [line.pk for line in checklist.lines.all()]


def _lines_of(checklist_ids) -> defaultdict[int, list[int]]:
    """The line ids of each checklist, in order (one query)."""
    lines = defaultdict(list)
    for line_id, checklist_id in ChecklistLine.objects.filter(checklist__in=checklist_ids).order_by("seq") \
            .values_list("pk", "checklist_id"):
        lines[checklist_id].append(line_id)
    return lines


SELF_CHECK_SAMPLE = 400  # notices of last month's batch; each answer is a real round through the services


def _self_checks(rng, now) -> int:
    operating = Enterprise.objects.filter(management_class="key", status=Enterprise.Status.OPERATING)
    ids = list(operating.order_by("pk").values_list("pk", flat=True))
    key = operating.filter(pk__in=ids[::max(1, len(ids) // SELF_CHECK_SAMPLE)][:SELF_CHECK_SAMPLE])
    batch = f"{(now - dt.timedelta(days=30)):%Y-%m}"
    with clock.frozen(now - dt.timedelta(days=30)):
        issued = checklists.self_check_notices_issue(enterprises=key, batch=batch, due_at=now - dt.timedelta(days=16))
    accounts = {u.enterprise_id: u for u in User.objects.filter(role=Role.ENTERPRISE, enterprise__in=key)}
    notices = list(SelfCheckNotice.objects.filter(batch=batch).select_related("checklist").order_by("pk"))
    lines = _lines_of({n.checklist_id for n in notices})
    by_day = defaultdict(list)
    for notice in notices:
        if rng.random() > 0.9 or notice.enterprise_id not in accounts:
            continue  # about one in ten never answers
        at = now - dt.timedelta(days=rng.uniform(15, 29))
        by_day[timezone.localdate(at)].append(services.RoundEntry(
            checklist=notice.checklist, notice=notice, user=accounts[notice.enterprise_id], submitted_at=at,
            client_uuid=uuid.UUID(int=rng.getrandbits(128)), answers=_answers(lines[notice.checklist_id], rng, 0.01)))
    for day in sorted(by_day):  # the answers of each day taken in together that evening
        entries = by_day[day]
        with clock.frozen(max(e.submitted_at for e in entries)):
            services.rounds_submit_many(kind="self_check", entries=entries)
    return issued


def _inspections(rng, now) -> int:
    officers = list(User.objects.filter(role=Role.ENFORCEMENT).order_by("username"))
    targets = list(Enterprise.objects.filter(management_class__in=["key", "simplified"],
                                             status=Enterprise.Status.OPERATING).order_by("pk"))
    done = 0
    for officer in officers:
        for enterprise in rng.sample(targets, k=min(len(targets), rng.randint(1, 3))):
            permit = enterprise.permits.order_by("-issued_on").first()
            checklist = checklists.checklist_build(permit=permit)
            with clock.frozen(now - dt.timedelta(days=rng.uniform(0, now.day - 1 or 0.5))):
                checklists.round_submit(kind="inspection", checklist=checklist, user=officer,
                                        client_uuid=uuid.UUID(int=rng.getrandbits(128)),
                                        answers=_answers(_line_ids(checklist), rng, 0.08), case_lead=rng.random() < 0.1)
            done += 1
    return done


PATROLLED = 0.9  # share of the smaller units their grid officer patrolled in the last year
PATROL_FAIL_SHARE = 0.03  # per checklist line


def _patrols(rng, now) -> int:
    """Each smaller unit's grid officer (else its township's) patrolled it once in the last year. The
    patrols with a failed line go through ``rounds_submit_many`` a day at a time (each failed line opens
    a work order from the patrol's time); the clean ones are stored in bulk (thousands in the full
    county), their checklists built together."""
    officers = {}
    for user in User.objects.filter(role__in=[Role.GRID, Role.TOWNSHIP]).order_by("role", "username"):
        officers.setdefault(("grid", user.grid_id) if user.role == Role.GRID else ("town", user.township_id), user)
    patrolled = []
    for enterprise in Enterprise.objects.filter(management_class__in=["registration", "simplified"],
                                                status=Enterprise.Status.OPERATING).order_by("pk"):
        officer = officers.get(("grid", enterprise.grid_id)) or officers.get(("town", enterprise.township_id))
        if officer is not None and rng.random() <= PATROLLED:
            patrolled.append((enterprise, officer, now - dt.timedelta(days=rng.uniform(1, 330))))
    permits = {p.enterprise_id: p for p in Permit.objects.filter(enterprise__in=[e for e, _, _ in patrolled])
               .order_by("enterprise_id", "issued_on")}  # the newest of each enterprise wins
    with clock.frozen(now - dt.timedelta(days=330)):
        built = checklists.checklists_build(permits=list(permits.values()))
    lines = _lines_of(built.values())
    clean, results, failing, done = [], [], defaultdict(list), 0
    for enterprise, officer, at in patrolled:
        if enterprise.pk not in permits:
            continue
        checklist = built[permits[enterprise.pk].pk]
        answers = _answers(lines[checklist.pk], rng, PATROL_FAIL_SHARE)
        client_uuid = uuid.UUID(int=rng.getrandbits(128))
        done += 1
        if any(a["result"] == "fail" for a in answers):
            failing[at.date()].append(services.RoundEntry(checklist=checklist, user=officer, answers=answers,
                                                          client_uuid=client_uuid, submitted_at=at))
            continue
        clean.append(Round(kind="patrol", checklist=checklist, enterprise=enterprise,
                           township_id=enterprise.township_id, client_uuid=client_uuid, performed_by=officer,
                           submitted_at=at))
        results.append(lines[checklist.pk])
    for day in sorted(failing):  # the officers' devices synced each day's patrols with a failed line that evening
        entries = failing[day]
        with clock.frozen(max(e.submitted_at for e in entries)):
            services.rounds_submit_many(kind="patrol", entries=entries)
    statistics_refresh(Round)  # the foreign-key checks of the lines below were planned when there were no rounds
    Round.objects.bulk_create(clean, batch_size=2000)
    LineResult.objects.bulk_create([LineResult(round=rnd, line_id=line, result="pass")
                                    for rnd, line_ids in zip(clean, results) for line in line_ids], batch_size=5000)
    return done


def _complaints(rng, now) -> int:
    enterprises = list(Enterprise.objects.order_by("pk")[:2000])
    for k in range(24):
        with clock.frozen(now - dt.timedelta(days=rng.uniform(0, 12))):
            services.complaint_file(text=rng.choice(COMPLAINTS), channel=rng.choice(["qr", "web"]),
                                    enterprise=rng.choice(enterprises), contact=f"1380000{k:04d}" if k % 2 else "")
    return 24


def _move_orders(rng) -> None:
    """Take some open orders further along, by their real handlers: the township accepts what it was
    given and passes about half of it (for enterprises in a grid) to the grid, which accepts in turn.
    The steps are taken by ``work_orders_act`` a day at a time, as the officers' devices synced them."""
    township_officers, grid_officers = {}, {}  # the first (lowest id) of each township and grid
    for user in User.objects.filter(role__in=[Role.TOWNSHIP, Role.GRID]).order_by("pk"):
        if user.role == Role.TOWNSHIP:
            township_officers.setdefault(user.township_id, user)
        else:
            grid_officers.setdefault(user.grid_id, user)
    steps = []
    for order in WorkOrder.objects.filter(state=WorkOrder.State.DISPATCHED).select_related("enterprise__grid") \
            .order_by("source", "source_ref", "opened_at", "pk"):
        township_officer = township_officers.get(order.township_id)
        if township_officer is None or order.team_id or rng.random() < 0.35:
            continue
        handler = township_officer
        at = order.opened_at + dt.timedelta(hours=rng.uniform(1, 6))
        steps.append(services.OrderStep(order_id=order.pk, action="accept", user=township_officer, at=at))
        grid_id = order.enterprise.grid_id if order.enterprise_id else None
        grid_officer = grid_officers.get(grid_id) if grid_id else None
        if grid_officer is not None and rng.random() < 0.5:
            steps.append(services.OrderStep(order_id=order.pk, action="pass_to_grid", user=township_officer, at=at,
                                            grid=order.enterprise.grid))
            handler = grid_officer
        if handler is grid_officer and rng.random() < 0.5:
            continue  # passed on, not yet accepted by the grid
        at = order.opened_at + dt.timedelta(hours=rng.uniform(7, 20))
        if handler is not township_officer:
            steps.append(services.OrderStep(order_id=order.pk, action="accept", user=handler, at=at))
        if rng.random() < 0.6:
            steps.append(services.OrderStep(order_id=order.pk, action="start", user=handler, at=at))
    by_day = defaultdict(list)
    for step in sorted(steps, key=lambda step: step.at):  # stable: an order's accept comes before its pass
        by_day[timezone.localdate(step.at)].append(step)
    for day_steps in by_day.values():
        with clock.frozen(day_steps[-1].at):
            services.work_orders_act(steps=day_steps)


def prepare(county) -> dict:
    now, rng = clock.now(), random.Random(f"{county.seed}:dispatch")
    return {"self-check notices": _self_checks(rng, now), "inspections": _inspections(rng, now),
            "patrols": _patrols(rng, now)}


def extend(county) -> dict:
    now, rng = clock.now(), county.rng
    complaints = _complaints(rng, now)
    _move_orders(rng)
    return {"complaints": complaints, "work orders": WorkOrder.objects.count()}
