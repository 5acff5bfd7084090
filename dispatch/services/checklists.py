"""Checklist-based enforcement (清单式执法): build a checklist from a permit, send self-check notices,
and take in rounds (self-check, township patrol, enforcement inspection) line by line.

``checklist_build`` turns every obligation of the permit into a line, in a fixed order under a
versioned schema; it makes a new revision only when the permit's content changed. ``round_submit``
is idempotent on the client's UUID and opens a work order for every failed line.
"""
import datetime as dt
import functools
import hashlib
import json
import uuid
from collections import defaultdict

from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Subquery
from django.utils import translation
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core import clock
from enterprises import jurisdiction, pollutant_values
from enterprises.models import (
    Enterprise,
    MonitoringDuty,
    Outlet,
    Permit,
    PermitItem,
    PermitLimit,
    Role,
    TreatmentFacility,
)

from ..models import (
    Checklist,
    ChecklistLine,
    LineResult,
    Round,
    SelfCheckNotice,
    WorkOrder,
)
from ..workflow import NotAllowed, WorkflowError
from .orders import work_order_open

SCHEMA_VERSION = 1
C = PermitItem.Category  # besides ChecklistLine.OUTLET and .LIMIT, a line has a permit item's category
ROUND_SOURCE = {Round.Kind.SELF_CHECK: WorkOrder.Source.SELF_CHECK, Round.Kind.PATROL: WorkOrder.Source.PATROL,
                Round.Kind.INSPECTION: WorkOrder.Source.INSPECTION}


@functools.lru_cache(maxsize=256)
def _label(model, field: str, value, language: str | None) -> str:
    return force_str(dict(make_hashable(model._meta.get_field(field).flatchoices)).get(value, value), strings_only=True)


def _display(model, field: str, value) -> str:
    """What ``get_<field>_display()`` shows for ``value``, the choices read once per language (a year of
    patrols builds thousands of checklists)."""
    return _label(model, field, make_hashable(value), translation.get_language())


def _contents(permit_ids) -> dict[int, dict[str, list[dict]]]:
    """What ``permit_lines`` reads of each permit, as plain values in five queries for all of them (model
    instances for thousands of permits cost more than the queries): outlets, limits, monitoring duties,
    treatment facilities and permit items, each in the order the lines take them."""
    content = {pk: {"outlets": [], "limits": defaultdict(list), "duties": [], "facilities": [], "items": []}
               for pk in permit_ids}
    for row in Outlet.objects.filter(permit_id__in=content).order_by("pk").values(
            "pk", "permit_id", "code", "name", "kind", "online_monitored"):
        content[row["permit_id"]]["outlets"].append(row)
    for row in PermitLimit.objects.filter(outlet__permit_id__in=content).order_by("pk").values(
            "pk", "outlet_id", "limit_value", "lower_limit", "unit", "averaging_period", "standard",
            permit_id=F("outlet__permit_id"), code=F("pollutant__code"), pollutant_name=F("pollutant__name")):
        content[row["permit_id"]]["limits"][row["outlet_id"]].append(row)
    for row in MonitoringDuty.objects.filter(permit_id__in=content).order_by("pk").values(
            "pk", "permit_id", "method", "frequency", outlet_code=F("outlet__code"), code=F("pollutant__code"),
            pollutant_name=F("pollutant__name")):
        content[row["permit_id"]]["duties"].append(row)
    for row in TreatmentFacility.objects.filter(permit_id__in=content).order_by("pk").values(
            "pk", "permit_id", "name", "process", outlet_code=F("outlet__code")):
        content[row["permit_id"]]["facilities"].append(row)
    for row in PermitItem.objects.filter(permit_id__in=content).order_by("pk").values(
            "pk", "permit_id", "category", "title", "requirement"):
        content[row["permit_id"]]["items"].append(row)
    for one in content.values():  # sorted here, not by the database's collation: the digest depends on it
        one["outlets"].sort(key=lambda o: o["code"])
        for limits in one["limits"].values():
            limits.sort(key=lambda lim: lim["code"])
        one["duties"].sort(key=lambda d: (d["outlet_code"] is None, d["outlet_code"] or "", d["code"]))
        one["items"].sort(key=lambda i: i["category"])
    return content


def permit_lines(permit: Permit) -> list[dict]:
    """The lines of schema version 1 for ``permit``: outlets, their limits, monitoring duties,
    treatment facilities, then the other permit items by category."""
    return _lines(_contents([permit.pk])[permit.pk])


def _lines(content: dict[str, list[dict]]) -> list[dict]:
    """The lines of one permit's content (``_contents``)."""
    lines = []
    for outlet in content["outlets"]:
        category = C.NOISE if outlet["kind"] == "noise" else ChecklistLine.OUTLET
        lines.append({"category": category, "ref": f"outlet:{outlet['pk']}",
                      "title": gettext("Outlet %(code)s %(name)s") % {"code": outlet["code"], "name": outlet["name"]},
                      "requirement": gettext("Outlet laid out to the rules, signs complete, sampling port usable")
                      + (gettext("; online monitoring running and connected") if outlet["online_monitored"] else "")})
        for limit in content["limits"].get(outlet["pk"], ()):
            upper = pollutant_values.value_text(limit["limit_value"], limit["code"], limit["unit"])
            bound = f"{pollutant_values.number_text(limit['lower_limit'], limit['code'])}~{upper}" \
                if limit["lower_limit"] is not None else f"≤ {upper}"
            lines.append({"category": ChecklistLine.LIMIT, "ref": f"limit:{limit['pk']}",
                          "title": f"{outlet['code']} {limit['pollutant_name']} {bound}".strip(),
                          "requirement": gettext("Concentration within the permit limit (%(period)s%(standard)s)") % {
                              "period": _display(PermitLimit, "averaging_period", limit["averaging_period"]),
                              "standard": gettext(", %(standard)s") % {"standard": limit["standard"]}
                              if limit["standard"] else ""}})
    for duty in content["duties"]:
        where = duty["outlet_code"] or gettext("site boundary")
        lines.append({"category": C.MONITORING, "ref": f"duty:{duty['pk']}",
                      "title": gettext("%(where)s %(pollutant)s self-monitoring (%(method)s, %(frequency)s)") % {
                          "where": where, "pollutant": duty["pollutant_name"],
                          "method": _display(MonitoringDuty, "method", duty["method"]),
                          "frequency": _display(MonitoringDuty, "frequency", duty["frequency"])},
                      "requirement": gettext("Monitored as often as the permit says, records and reports complete")})
    for facility in content["facilities"]:
        lines.append({"category": C.FACILITY, "ref": f"facility:{facility['pk']}",
                      "title": gettext("Treatment facility %(name)s") % {"name": facility["name"]}
                      + (gettext(" (%(outlet)s)") % {"outlet": facility["outlet_code"]}
                         if facility["outlet_code"] else ""),
                      "requirement": gettext("%(process)s, running normally, operating records complete")
                      % {"process": facility["process"]} if facility["process"]
                      else gettext("Running normally, operating records complete")})
    for item in content["items"]:
        lines.append({"category": item["category"], "ref": f"item:{item['pk']}",
                      "title": item["title"], "requirement": item["requirement"]})
    return lines


def _digest(lines: list[dict]) -> str:
    return hashlib.sha256(json.dumps([SCHEMA_VERSION, lines], ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def checklist_build(*, permit: Permit) -> Checklist:
    """The current checklist of ``permit``: the latest revision if the permit's content is unchanged,
    else a new revision with its lines."""
    return checklists_build(permits=[permit])[permit.pk]


BUILD_CHUNK = 500


def checklists_build(*, permits) -> dict[int, Checklist]:
    """``checklist_build`` for many permits in a few queries (a campaign's notices, a year of patrols):
    their content in five queries, their latest revisions in one query, the new revisions and all
    their lines in two bulk inserts, 500 permits at a time (SQLite refuses a deeper expression tree).
    Returns each permit's current checklist by permit id."""
    permits = list(permits)
    if len(permits) > BUILD_CHUNK:
        return {pk: checklist for start in range(0, len(permits), BUILD_CHUNK)
                for pk, checklist in checklists_build(permits=permits[start:start + BUILD_CHUNK]).items()}
    permits = list({p.pk: p for p in permits}.values())
    ids = {p.pk for p in permits}
    content = _contents(ids)
    latest_revision = Checklist.objects.filter(permit=OuterRef("permit")).order_by("-revision").values("revision")[:1]
    latest = {c.permit_id: c for c in Checklist.objects.filter(permit__in=ids, revision=Subquery(latest_revision))}
    current, fresh = {}, []
    for permit in permits:
        lines = _lines(content[permit.pk])
        digest = _digest(lines)
        before = latest.get(permit.pk)
        if before is not None and before.content_hash == digest:
            current[permit.pk] = before
        else:
            fresh.append((Checklist(permit=permit, enterprise_id=permit.enterprise_id,
                                    revision=(before.revision + 1) if before else 1, schema_version=SCHEMA_VERSION,
                                    content_hash=digest, built_at=clock.now()), lines))
    if not fresh:
        return current
    try:
        with transaction.atomic():
            Checklist.objects.bulk_create([checklist for checklist, _ in fresh], batch_size=1000)
            ChecklistLine.objects.bulk_create((ChecklistLine(checklist=checklist, seq=n, **line)
                                               for checklist, lines in fresh for n, line in enumerate(lines, start=1)),
                                              batch_size=2000)
    except IntegrityError:  # built concurrently: one by one, each taking the other's revision if it conflicts
        if len(fresh) > 1:
            for checklist, _ in fresh:
                current.update(checklists_build(permits=[checklist.permit]))
            return current
        newest = Checklist.objects.filter(permit__in=ids, revision=Subquery(latest_revision))
        return current | {c.permit_id: c for c in newest}
    current.update((checklist.permit_id, checklist) for checklist, _ in fresh)
    return current


def self_check_notices_issue(*, enterprises, batch: str, due_at: dt.datetime, issued_by=None, campaign=None) -> int:
    """Send a self-check notice of ``batch`` (of ``campaign``, if any) to each enterprise (with a valid
    permit) that has none yet. Returns how many were issued; issuing the same batch again adds none."""
    now = clock.now()
    if due_at <= now:
        raise WorkflowError(_("The self-check deadline must be in the future."))
    permits = _latest_permits(enterprises, batch)
    built = checklists_build(permits=permits)
    notices = [SelfCheckNotice(enterprise_id=p.enterprise_id, checklist=built[p.pk], batch=batch,
                               issued_by=issued_by, issued_at=now, due_at=due_at, campaign=campaign) for p in permits]
    before = SelfCheckNotice.objects.filter(batch=batch).count()
    SelfCheckNotice.objects.bulk_create(notices, ignore_conflicts=True, batch_size=1000)
    return SelfCheckNotice.objects.filter(batch=batch).count() - before


def _latest_permits(enterprises, batch: str) -> list[Permit]:
    """The newest valid permit of each enterprise that has no notice of ``batch`` yet (one query)."""
    seen, permits = set(), []
    qs = (Permit.objects.filter(enterprise__in=enterprises, status=Permit.Status.VALID)
          .exclude(Exists(SelfCheckNotice.objects.filter(enterprise=OuterRef("enterprise"), batch=batch)))
          .order_by("enterprise_id", "-issued_on"))
    for permit in qs:
        if permit.enterprise_id not in seen:
            seen.add(permit.enterprise_id)
            permits.append(permit)
    return permits


def may_perform(user, kind: str, enterprise: Enterprise) -> bool:
    """Self-checks by the enterprise itself; patrols by its township or grid officers; inspections by
    enforcement officers (and the bureau)."""
    if not jurisdiction.can_access_enterprise(user, enterprise):
        return False
    if kind == Round.Kind.SELF_CHECK:
        return user.role == Role.ENTERPRISE
    if kind == Round.Kind.PATROL:
        return user.role in (Role.TOWNSHIP, Role.GRID)
    return user.role in (Role.ENFORCEMENT, Role.BUREAU) or user.is_superuser


def checked_answers(lines: dict[int, ChecklistLine], answers: list[dict]) -> dict[int, dict]:
    """``answers`` by line id, once each is on the checklist (``lines`` by id), has a valid result, a
    note if it failed, and every line is answered; else raise why not."""
    given = {}
    for answer in answers:
        line_id, result = int(answer.get("line", 0)), answer.get("result")
        if line_id not in lines:
            raise WorkflowError(_("Line %(line)s is not on this checklist.") % {"line": line_id})
        if result not in LineResult.Result.values:
            raise WorkflowError(_("Line %(seq)d: choose pass, fail or not applicable.") % {"seq": lines[line_id].seq})
        if result == LineResult.Result.FAIL and not (answer.get("note") or "").strip():
            raise WorkflowError(_("Line %(seq)d failed: say what is wrong.") % {"seq": lines[line_id].seq})
        given[line_id] = answer
    missing = sorted(line.seq for pk, line in lines.items() if pk not in given)
    if missing:
        raise WorkflowError(_("Lines not answered: %(seqs)s.") % {"seqs": ", ".join(map(str, missing))})
    return given


def checked_position(latitude: float | None, longitude: float | None) -> None:
    """Both GPS coordinates or neither, as degrees; else raise why not."""
    if (latitude is None) != (longitude is None) or (latitude is not None and not (
            -90 <= latitude <= 90 and -180 <= longitude <= 180)):
        raise WorkflowError(_("Give both GPS coordinates, as degrees."))


def failed_title(rnd: Round, line: ChecklistLine) -> str:
    """The title of the work order a failed line of ``rnd`` opens."""
    return (gettext("%(kind)s failed: %(line)s") % {"kind": rnd.get_kind_display(), "line": line.title})[:200]


def round_submit(*, kind: str, checklist: Checklist, user, answers: list[dict], client_uuid,
                 notice: SelfCheckNotice | None = None, officers=(), note: str = "",
                 case_lead: bool = False, latitude: float | None = None,
                 longitude: float | None = None) -> tuple[Round, bool]:
    """Take in a filled checklist. ``answers``: one ``{"line": id, "result": pass|fail|na, "note": str}``
    per line; a failed line needs a note and opens a work order. ``latitude``/``longitude``: where it was
    submitted (both or neither, degrees), when the user shared it. Returns ``(round, created)``; a retried
    submission (same ``client_uuid``) returns the first round."""
    client_uuid = uuid.UUID(str(client_uuid))
    existing = Round.objects.filter(client_uuid=client_uuid).first()
    if existing is not None:
        return existing, False
    if kind not in Round.Kind.values:
        raise WorkflowError(_("Unknown kind of round."))
    enterprise = checklist.enterprise
    if not may_perform(user, kind, enterprise):
        raise NotAllowed(_("You may not submit this kind of round for this enterprise."))
    if notice is not None and (kind != Round.Kind.SELF_CHECK or notice.enterprise_id != enterprise.pk
                               or notice.checklist_id != checklist.pk):
        raise WorkflowError(_("The notice does not belong to this self-check."))
    checked_position(latitude, longitude)
    lines = {line.pk: line for line in checklist.lines.all()}
    given = checked_answers(lines, answers)
    now = clock.now()
    try:
        with transaction.atomic():
            rnd = Round.objects.create(kind=kind, checklist=checklist, enterprise=enterprise,
                                       township_id=enterprise.township_id, client_uuid=client_uuid, notice=notice,
                                       performed_by=user, submitted_at=now, note=note, case_lead=case_lead,
                                       latitude=latitude, longitude=longitude)
            if kind == Round.Kind.INSPECTION:
                rnd.officers.set({user.pk, *(o.pk for o in officers)})
            results = LineResult.objects.bulk_create(
                LineResult(round=rnd, line=lines[pk], result=a["result"], note=(a.get("note") or "").strip())
                for pk, a in given.items())
            for result in results:
                if result.result == LineResult.Result.FAIL:
                    result.work_order = work_order_open(
                        source=ROUND_SOURCE[kind], enterprise=enterprise, opened_by=user,
                        title=failed_title(rnd, result.line),
                        description=f"{result.line.requirement}\n{result.note}".strip(),
                        source_ref=f"round:{rnd.pk}:line:{result.line_id}",
                        evidence={"round": rnd.pk, "line": result.line_id, "checklist": checklist.pk})
                    result.save(update_fields=["work_order"])
            if notice is not None:
                SelfCheckNotice.objects.filter(pk=notice.pk, completed_at__isnull=True).update(completed_at=now)
            return rnd, True
    except IntegrityError:
        existing = Round.objects.filter(client_uuid=client_uuid).first()
        if existing is None:
            raise WorkflowError(_("This self-check notice was already answered.")) from None
        return existing, False


def round_file_case(*, round_id: int, user, filed_on: dt.date, number: str) -> Round:
    """Record that an inspection led to a filed case (立案)."""
    if not (jurisdiction.is_bureau(user) or user.role == Role.ENFORCEMENT):
        raise NotAllowed(_("Only enforcement staff file cases."))
    with transaction.atomic():
        rnd = Round.objects.select_for_update().get(pk=round_id)
        if rnd.kind != Round.Kind.INSPECTION:
            raise WorkflowError(_("Cases are filed from enforcement inspections."))
        rnd.case_lead, rnd.case_filed_on, rnd.case_number = True, filed_on, number.strip()[:64]
        rnd.save(update_fields=["case_lead", "case_filed_on", "case_number"])
        return rnd
