"""Extends the demo county with a year of enforcement: twelve monthly plans drawn by the double random
draw (each with its seed), inspections of planned enterprises on-site (two officers, the permit
checklist, GPS) and off-site (online data, reports, video; about half of the key enterprises'
inspections), each month's recorded in one batch per mode (each inspection dated when it ended), case
leads from them, filed, decided and executed through the services with the clock moved back, so the
strips, the officers' statistics and the KPI trends have history. Runs after the eco-code has scored the
county (the draw reads the colours) and re-scores the enterprises with cases.

Then the operators' records of the key enterprises' monitoring devices over the last quarter, filed in
one batch (a comparison test each, a few failed and passed on retest, a few faults, one in ten still
unrepaired), joint inspections with the township's enforcement team (two a month done over the six
months before this one, matched by as many more off-site inspections, three to come), and the positive
list: proposed by its entry rules, the best scored approved by the bureau (up to POSITIVE_LIST_SHARE of
the enterprises), the others left for its review. In a fresh demo only the enterprises whose colour
history covers six months are proposed."""
import datetime as dt
import uuid
from decimal import Decimal

from django.db.models import prefetch_related_objects
from django.utils import timezone

from core import clock
from dispatch.services import checklists_build
from ecocode.models import ScoringRun
from ecocode.services import scoring
from enterprises.models import Enterprise, Role, User
from monitoring.models import Device

from . import services
from .models import Case, DiscretionArticle, InspectionPlan, Mode, PlannedInspection
from .selectors import current_permits, suggested_discretion

ORDER = 95  # after ecocode (90): the draw reads the colours
ON_SITE_PER_MONTH = 30
FINDINGS = ["危废暂存间标识不全，台账记录缺失", "废气收集罩破损，无组织排放明显", "在线监测设备采样管路堵塞",
            "雨污分流不彻底，雨水口有污水痕迹", "治理设施运行记录不全"]
OPERATORS = ["浙江环科运维有限公司", "嘉兴蓝天环保科技有限公司"]
SIGNERS = ["王建国", "陈丽华", "刘志强", "周敏"]
OFF_SITE_FINDINGS = ["在线数据连续 6 小时恒值，疑似设备故障", "视频显示夜间治理设施停运", "执行报告排放量与在线数据不一致"]


def _months(today: dt.date) -> list[tuple[int, int]]:
    out = []
    for back in range(11, -1, -1):
        m = today.month - 1 - back
        out.append((today.year + m // 12, m % 12 + 1))
    return out


def _at(year: int, month: int, rng, last_day: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime(year, month, rng.randint(1, last_day), rng.randint(8, 16),
                                           rng.choice([0, 15, 30, 45])))


def _on_site(rng, item: PlannedInspection, lead, second, at: dt.datetime, lines) -> tuple | None:
    """The on-site inspection of a planned item against its checklist ``lines`` (None: no valid permit),
    and who signed the paper record for the enterprise (None: not yet)."""
    ent = item.enterprise
    end = at + dt.timedelta(minutes=rng.randint(40, 150))
    case_lead = rng.random() < 0.06
    if lines is None:
        return None
    failed = {line.pk for line in lines if rng.random() < 0.05}
    entry = services.OnSiteEntry(
        user=lead, enterprise=ent, officers=[second],
        answers=[{"line": line.pk, "result": "fail" if line.pk in failed else "pass",
                  "note": rng.choice(FINDINGS) if line.pk in failed else ""} for line in lines],
        client_uuid=uuid.UUID(int=rng.getrandbits(128)), started_at=at, ended_at=end,
        latitude=round(ent.latitude + rng.uniform(-3e-4, 3e-4), 6),
        longitude=round(ent.longitude + rng.uniform(-3e-4, 3e-4), 6),
        findings="；".join(rng.choice(FINDINGS) for _ in failed) or "未发现明显问题",
        case_lead=case_lead and bool(failed), planned=item, recorded_at=end)
    return entry, rng.choice(SIGNERS) if rng.random() < 0.85 else None  # the manager signed the paper record


def _off_site(rng, ent, lead, at: dt.datetime) -> services.OffSiteEntry:
    """An off-site review of two kinds of evidence of ``ent``; a problem in one now and then."""
    end = at + dt.timedelta(minutes=rng.randint(40, 150))
    case_lead = rng.random() < 0.06
    basis = rng.sample(["online_data", "reports", "video", "self_check"], 2)
    problem = basis[0] if rng.random() < 0.15 else None
    return services.OffSiteEntry(
        user=lead, enterprise=ent, lines=[
            {"basis": b, "result": "problem" if b == problem else "ok",
             "note": rng.choice(OFF_SITE_FINDINGS) if b == problem else ""} for b in basis],
        conclusion="发现问题，已转办整改" if problem else "未发现明显问题", started_at=at, ended_at=end,
        case_lead=case_lead and bool(problem), recorded_at=end)


def _checklist_lines(items) -> dict[int, list]:
    """The current checklist lines of each planned enterprise with a valid permit, built in one batch."""
    permits = current_permits({item.enterprise_id for item in items})
    checklists = checklists_build(permits=list(permits.values()))
    prefetch_related_objects(list(checklists.values()), "lines")
    return {ent: list(checklists[permit.pk].lines.all()) for ent, permit in permits.items()}


def _record_month(rng, on_site, officers, year: int, month: int, last_day: int) -> int:
    """The month's on-site inspections of planned items, recorded in one batch, and the signatures."""
    lines = _checklist_lines(on_site)
    made = [_on_site(rng, item, officers[item.lead_officer_id], officers[item.second_officer_id],
                     _at(year, month, rng, last_day), lines.get(item.enterprise_id)) for item in on_site]
    made = [m for m in made if m is not None]
    if not made:
        return 0
    with clock.frozen(max(entry.recorded_at for entry, _signer in made)):
        inspections = services.inspections_record_on_site(entries=[entry for entry, _signer in made])
    for inspection, (entry, signer) in zip(inspections, made, strict=True):
        if signer:
            with clock.frozen(entry.recorded_at):
                services.inspection_confirm(inspection=inspection, user=entry.user, confirmed_by=signer)
    return len(inspections)


def _record_off_site(entries) -> int:
    if entries:
        with clock.frozen(max(entry.recorded_at for entry in entries)):
            services.inspections_record_off_site(entries=entries)
    return len(entries)


def _key_off_site(rng, n: int) -> list[Enterprise]:
    """Key enterprises whose online data, reports and video an officer reviews off-site this month."""
    ids = list(Enterprise.objects.filter(management_class="key", status="operating").order_by("pk")
               .values_list("pk", flat=True))
    return list(Enterprise.objects.filter(pk__in=rng.sample(ids, min(n, len(ids)))).order_by("pk"))


def _cases(rng, today: dt.date) -> int:
    articles = list(DiscretionArticle.objects.order_by("code"))
    n = 0
    for case in Case.objects.filter(state=Case.State.LEAD).select_related("enterprise").order_by("lead_at"):
        officer = case.opened_by
        filed_on = (case.lead_at + dt.timedelta(days=rng.randint(3, 12))).date()
        if filed_on >= today:
            continue
        article = rng.choice(articles)
        with clock.frozen(timezone.make_aware(dt.datetime.combine(filed_on, dt.time(10)))):
            services.case_file(case=case, user=officer, filing_number=f"桐环立〔{filed_on.year}〕{case.pk}号",
                               article=article, filed_on=filed_on)
            services.case_evidence_add(case=case, user=officer, description="现场检查笔录及照片")
        notified = filed_on + dt.timedelta(days=rng.randint(10, 30))
        decided = notified + dt.timedelta(days=rng.randint(8, 20))
        if decided >= today:
            continue
        services.case_notify_hearing(case=case, user=officer, notified_on=notified)
        suggestion = suggested_discretion(case.enterprise, article)
        amount, why = suggestion["amount"], ""
        if rng.random() < 0.25:  # the officer departs from the suggestion and says why
            amount = max(article.min_amount, (amount * Decimal("0.8")).quantize(Decimal("1")))
            why = "首次违法且积极整改，依法从轻处罚"
        services.case_decide(case=case, user=officer, decision_number=f"桐环罚〔{decided.year}〕{case.pk}号",
                             decided_on=decided, amount=amount, measures="责令立即改正违法行为", discretion_reason=why)
        paid = decided + dt.timedelta(days=rng.randint(5, 14))
        if paid < today:
            services.case_execute(case=case, user=officer, executed_on=paid, amount_paid=amount)
        n += 1
    return n


def _device_checks(rng, user) -> int:
    """A comparison test per key-enterprise device in the last quarter; failures retested; some faults,
    most of them repaired: filed in one batch."""
    now = clock.now()
    entries = []
    devices = Device.objects.filter(is_active=True, outlet__enterprise__management_class="key").order_by("pk")
    for device in devices:
        at = now - dt.timedelta(days=rng.randint(20, 85), hours=rng.randint(0, 8))
        failed = rng.random() < 0.08
        entries.append(services.CheckEntry(device=device, kind="comparison", operator=rng.choice(OPERATORS),
                                           performed_at=at, passed=not failed,
                                           findings="比对监测相对误差超出 HJ 355 要求" if failed else ""))
        if failed:
            entries.append(services.CheckEntry(device=device, kind="comparison", operator=rng.choice(OPERATORS),
                                               performed_at=at + dt.timedelta(days=rng.randint(5, 15))))
        if rng.random() < 0.05:
            operator, began = rng.choice(OPERATORS), now - dt.timedelta(days=rng.randint(2, 60))
            findings = rng.choice(["采样泵故障", "数采仪断电", "流量计读数异常"])
            repaired = min(now, began + dt.timedelta(hours=rng.randint(6, 96))) if rng.random() < 0.9 else None
            entries.append(services.CheckEntry(device=device, kind="fault", operator=operator, performed_at=began,
                                               findings=findings, resolved_at=repaired))
    services.device_checks_record(user=user, entries=entries)
    return sum(e.kind == "comparison" for e in entries)


JOINT_MONTHS = 6  # joint inspections done in each of the last six months before this one
JOINT_PER_MONTH = 2


def _joint_invite(rng, officer, ent, day: dt.date, at: dt.datetime):
    counties = ["嘉兴市秀洲区生态环境分局"] if rng.random() < 0.5 else []
    with clock.frozen(at):
        return services.joint_inspection_invite(user=officer, enterprise=ent, planned_on=day,
                                                purpose="跨界水体异味联合排查", townships=[ent.township],
                                                counties=counties)


def _joint_done(rng, officer, ents, year: int, month: int) -> int:
    """Joint inspections of the month with the enterprise's township team, some also with the neighbouring
    county: every part recorded and signed on the day, so they count in the statistics and the strips."""
    town_officers = {u.township_id: u for u in User.objects.filter(role=Role.TOWNSHIP).order_by("-pk")}
    for ent in rng.sample(ents, min(JOINT_PER_MONTH, len(ents))):
        day = dt.date(year, month, rng.randint(1, 28))
        at = timezone.make_aware(dt.datetime.combine(day, dt.time(9, 30)))
        joint = _joint_invite(rng, officer, ent, day, at - dt.timedelta(days=7))
        with clock.frozen(at + dt.timedelta(hours=3)):
            for part in joint.parts.all():
                problems = int(rng.random() < 0.3)
                by = town_officers.get(part.township_id) if part.party == part.Party.TOWNSHIP else officer
                if by is None:
                    continue
                findings = rng.choice(FINDINGS) if problems else "未发现明显问题"
                services.joint_part_record(part=part, user=by, findings=findings, problems_found=problems)
                signer = "李明" if part.party == part.Party.COUNTY else ""
                services.joint_part_sign(part=part, user=by, signer_name=signer)
    return min(JOINT_PER_MONTH, len(ents))


def _joint_upcoming(rng, officer, ents, today: dt.date) -> int:
    """Three joint inspections invited for next week."""
    day, at = today + dt.timedelta(days=7), clock.now()
    for ent in rng.sample(ents, min(3, len(ents))):
        _joint_invite(rng, officer, ent, day, at)
    return min(3, len(ents))


POSITIVE_LIST_SHARE = 0.15  # of the operating enterprises: the bureau's list is a selection, not everyone eligible


def _best_proposals(proposed: list) -> list:
    """The proposals the demo's bureau approves: the best scored, up to POSITIVE_LIST_SHARE of the operating
    enterprises; the others await its review."""
    scores = dict(Enterprise.objects.filter(pk__in=[e.enterprise_id for e in proposed])
                  .values_list("pk", "eco_code__score"))
    quota = int(POSITIVE_LIST_SHARE * Enterprise.objects.filter(status=Enterprise.Status.OPERATING).count())
    return sorted(proposed, key=lambda e: (-(scores.get(e.enterprise_id) or 0), e.enterprise_id))[:max(1, quota)]


def extend(county) -> dict:
    rng = county.rng
    today = timezone.localtime(clock.now()).date()
    bureau = User.objects.filter(role=Role.BUREAU).order_by("pk").first()
    officers = {u.pk: u for u in User.objects.filter(role=Role.ENFORCEMENT)}
    if bureau is None or len(officers) < 4:
        return {}
    done, ids, joint = 0, sorted(officers), 0
    joint_ents = list(Enterprise.objects.filter(management_class="key", status="operating")
                      .select_related("township").order_by("pk")[:200])
    months = _months(today)
    for year, month in months:
        start = timezone.make_aware(dt.datetime(year, month, 1, 8))
        last_day = today.day - 1 if (year, month) == (today.year, today.month) else 28
        with clock.frozen(start):
            plan = services.plan_draw(year=year, month=month, user=bureau, seed=rng.getrandbits(62))
        if last_day < 1:
            continue
        items = list(plan.items.filter(mode=Mode.ON_SITE, enterprise__management_class="key")
                     .select_related("enterprise").order_by("pk"))
        on_site = rng.sample(items, min(ON_SITE_PER_MONTH, len(items)))
        done += _record_month(rng, on_site, officers, year, month, last_day)
        joints = 0
        if (year, month) in months[-1 - JOINT_MONTHS:-1]:
            joints = _joint_done(rng, officers[ids[0]], joint_ents, year, month)
        joint += joints
        done += _record_off_site([_off_site(rng, ent, officers[rng.choice(ids)], _at(year, month, rng, last_day))
                                  for ent in _key_off_site(rng, len(on_site) + joints)])  # as many as on-site
    cases = _cases(rng, today)
    checks = _device_checks(rng, bureau)
    joint += _joint_upcoming(rng, officers[ids[0]], joint_ents, today)
    proposed = services.positive_list_propose()
    listed = _best_proposals(proposed)
    services.positive_list_approve(entries=listed, user=bureau)
    penalised = list(Enterprise.objects.filter(cases__decided_on__isnull=False).distinct().values_list("pk", flat=True))
    if penalised:  # the penalty indicators read the new decisions
        scoring.run(trigger=ScoringRun.Trigger.ON_DEMAND, enterprise_ids=penalised)
    return {"inspection plans": InspectionPlan.objects.count(),
            "planned inspections": PlannedInspection.objects.count(), "inspections": done, "cases decided": cases,
            "operator records": checks, "joint inspections": joint, "positive list": len(listed),
            "positive list proposals to review": len(proposed) - len(listed)}
