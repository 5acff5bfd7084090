"""Importing the permit platform's registry tables: enterprises, permits, outlets, limits, duties.

``registry_import_check`` is the dry run: it reads the files, checks every row and compares the
accepted rows with the database, and keeps the files and what it found (``RegistryImport``).
``registry_import_commit`` does it again against the database as it is now and writes everything in
one transaction, or nothing when any row is refused; on the pages, ``registry_import_confirm`` queues it
for a worker of the imports queue (``tasks.commit_registry_import``), which calls it. Writes are
set-based (``bulk_create``, ``bulk_update``), and every created or changed row gets an audit entry
naming the file it came from.

Re-import is an update: rows are found again by credit code, permit number, outlet code and
pollutant, and a row whose values are the same is left alone. A permit number the enterprise did not
have before is a renewal: a new permit version, and the enterprise's earlier valid permit is kept with
its dates, marked expired; ``signals.outlets_renewed`` tells other apps which new outlet takes over from
which earlier one (monitoring moves the data loggers). Nothing is deleted.
"""
import datetime as dt
import hashlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import clock
from core.db import advisory_lock

from ..models import (
    Enterprise,
    Grid,
    Industry,
    MonitoringDuty,
    Outlet,
    Permit,
    PermitLimit,
    Pollutant,
    RegistryImport,
    RegistryImportFile,
    Township,
    Village,
)
from ..registry.parsing import Problem, read_files
from ..registry.records import Record, RecordBuilder, Records
from ..signals import RowChange, outlets_renewed, rows_written

ENTERPRISE_FIELDS = ("name", "industry_id", "address", "latitude", "longitude", "township_id", "village_id",
                     "grid_id", "management_class", "legal_representative", "contact_name", "contact_phone",
                     "contact_email", "status")
PERMIT_FIELDS = ("management_class", "issued_on", "valid_from", "expires_on", "issuing_authority", "status")
OUTLET_FIELDS = ("name", "kind", "is_main", "online_monitored", "latitude", "longitude", "height_m",
                 "receiving_water")
LIMIT_FIELDS = ("limit_value", "lower_limit", "unit", "averaging_period", "standard", "annual_quantity")
DUTY_FIELDS = ("method", "frequency")
TABLES = {"enterprises": (Enterprise, ENTERPRISE_FIELDS), "permits": (Permit, PERMIT_FIELDS),
          "outlets": (Outlet, OUTLET_FIELDS), "limits": (PermitLimit, LIMIT_FIELDS),
          "duties": (MonitoringDuty, DUTY_FIELDS)}
TABLE_LABELS = {"enterprises": _("enterprises"), "permits": _("permits"), "outlets": _("outlets"),
                "limits": _("permitted limits"), "duties": _("self-monitoring duties")}
ACTION_LABELS = {"create": _("new"), "update": _("changed"), "unchanged": _("unchanged"),
                 "renewed": _("earlier version kept, marked expired")}
SAMPLE_CHANGES = 500
BATCH = 2000
LOCK = "enterprises.registry_import"


class ImportRefused(Exception):
    """The files have refused rows; nothing was written."""

    def __init__(self, plan: "Plan"):
        super().__init__(f"{len(plan.problems)} refused rows")
        self.plan = plan


class CheckOutdated(ImportRefused):
    """The registry changed between the dry run and the confirmation: the import would no longer do what
    the user confirmed. Nothing was written; check again."""


@dataclass
class Entry:
    """One row of a table as the import will write it: create, update or leave it."""

    table: str
    action: str
    key: tuple
    label: str
    record: Record | None
    pk: int | None = None
    changes: dict = field(default_factory=dict)  # field -> (old, new)


@dataclass
class Plan:
    problems: list[Problem]
    entries: dict[str, list[Entry]]
    renewals: list[Entry]
    rows: int

    @property
    def counts(self) -> dict[str, dict[str, int]]:
        out = {}
        for table, entries in self.entries.items():
            tally = Counter(e.action for e in entries)
            out[table] = {a: tally.get(a, 0) for a in ("create", "update", "unchanged")}
        out["permits"]["renewed"] = len(self.renewals)
        return out

    @property
    def writes(self) -> int:
        return sum(e.action != "unchanged" for es in self.entries.values() for e in es) + len(self.renewals)


# --- comparing with the database -----------------------------------------------------------------

def _same(old, new) -> bool:
    if isinstance(old, float) or isinstance(new, float):
        return old is not None and new is not None and round(float(old), 6) == round(float(new), 6)
    if isinstance(old, Decimal) or isinstance(new, Decimal):
        return old is not None and new is not None and Decimal(old) == Decimal(new)
    return old == new


def _diff(existing: dict | None, values: dict, fields) -> dict:
    if existing is None:
        return {}
    return {f: (existing[f], values[f]) for f in fields if f in values and not _same(existing[f], values[f])}


def _entry(table, key, label, record, existing, fields) -> Entry:
    if existing is None:
        return Entry(table, "create", key, label, record)
    changes = _diff(existing, record.values, fields)
    return Entry(table, "update" if changes else "unchanged", key, label, record, existing["id"], changes)


def _chunks(items, size=BATCH):
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _existing(model, filter_key: str, keys, fields, extra=()) -> list[dict]:
    rows = []
    for chunk in _chunks(keys, 5000):
        rows += model.objects.filter(**{f"{filter_key}__in": chunk}).values("id", *fields, *extra)
    return rows


def _plan(records: Records, today: dt.date) -> Plan:
    """Compare the accepted records with the database: what to create, change, leave; which permits renew."""
    problems = list(records.problems)
    numbers = list(records.permits)
    firms = {r["credit_code"]: r for r in _existing(Enterprise, "credit_code", records.enterprises,
                                                     ENTERPRISE_FIELDS, ("credit_code",))}
    permits = {r["number"]: r for r in _existing(Permit, "number", numbers, PERMIT_FIELDS,
                                                 ("number", "enterprise__credit_code"))}
    entries = {t: [] for t in TABLES}
    for code, rec in records.enterprises.items():
        values = rec.values
        if values["status"] is None:
            values["status"] = firms[code]["status"] if code in firms else Enterprise.Status.OPERATING
        entries["enterprises"].append(_entry("enterprises", code, f"{values['name']}（{code}）", rec,
                                             firms.get(code), ENTERPRISE_FIELDS))
    for number, rec in records.permits.items():
        values, old = rec.values, permits.get(number)
        if old and old["enterprise__credit_code"] != values["credit_code"]:
            problems.append(Problem(rec.sheet, rec.row, "许可证编号", number,
                                    str(_("This permit number belongs to another enterprise (%(code)s).")
                                        % {"code": old["enterprise__credit_code"]})))
            continue
        if values["status"] is None:
            values["status"] = old["status"] if old else (
                Permit.Status.VALID if values["expires_on"] > today else Permit.Status.EXPIRED)
        entries["permits"].append(_entry("permits", number, number, rec, old, PERMIT_FIELDS))
    new_numbers = {e.key for e in entries["permits"] if e.action == "create"}
    renewing = {records.permits[n].values["credit_code"]: n for n in new_numbers}
    renewals = []
    for old in _existing(Permit, "enterprise__credit_code", renewing, ("number", "status"),
                         ("enterprise__credit_code",)):
        if old["status"] == Permit.Status.VALID and old["number"] not in records.permits:
            renewals.append(Entry("permits", "renewed", old["number"], old["number"], None, old["id"],
                                  {"status": (old["status"], Permit.Status.EXPIRED)}))

    outlets = {(r["permit__number"], r["code"]): r
               for r in _existing(Outlet, "permit__number", numbers, OUTLET_FIELDS, ("permit__number", "code"))}
    for key, rec in records.outlets.items():
        entries["outlets"].append(_entry("outlets", key, " ".join(key), rec, outlets.get(key), OUTLET_FIELDS))
    limits = {(r["outlet__permit__number"], r["outlet__code"], r["pollutant_id"]): r
              for r in _existing(PermitLimit, "outlet__permit__number", numbers, LIMIT_FIELDS,
                                 ("outlet__permit__number", "outlet__code", "pollutant_id"))}
    names = dict(Pollutant.objects.values_list("id", "name"))
    for key, rec in records.limits.items():
        label = f"{key[0]} {key[1]} {names[key[2]]}"
        entries["limits"].append(_entry("limits", key, label, rec, limits.get(key), LIMIT_FIELDS))
    duties = {}
    for r in _existing(MonitoringDuty, "permit__number", numbers, DUTY_FIELDS,
                       ("permit__number", "outlet__code", "pollutant_id")):
        duties.setdefault((r["permit__number"], r["outlet__code"] or "", r["pollutant_id"]), r)
    for key, rec in records.duties.items():
        label = f"{key[0]} {key[1] or '—'} {names[key[2]]}"
        entries["duties"].append(_entry("duties", key, label, rec, duties.get(key), DUTY_FIELDS))
    if problems != records.problems:  # a permit refused here takes its rows with it
        refused = {p.value for p in problems[len(records.problems):]}
        for table in ("outlets", "limits", "duties"):
            entries[table] = [e for e in entries[table] if e.key[0] not in refused]
        entries["enterprises"] = [e for e in entries["enterprises"]
                                  if not any(records.permits[n].values["credit_code"] == e.key for n in refused)]
    return Plan(problems=problems, entries=entries, renewals=renewals, rows=records.rows)


def plan_files(files: list[tuple[str, bytes]], *, progress: Callable[[int], None] | None = None) -> Plan:
    """The dry run of ``files``: every refused row, and what would be created, changed or left alone."""
    parsed = read_files(files)
    builder = RecordBuilder(county_code=settings.COUNTY_DIVISION_CODE)
    records = builder.build(parsed, progress=progress)
    return _plan(records, timezone.localdate(clock.now()))


# --- writing -------------------------------------------------------------------------------------

def _plain(value):
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _model_field(model, name: str) -> str:
    return model._meta.get_field(name.removesuffix("_id")).name


def _audit(model, entries: list[Entry], objects: dict) -> list[RowChange]:
    """What the audit log records of the created and changed rows (``signals.rows_written``)."""
    fields = TABLES.get(entries[0].table, (None, ()))[1] if entries else ()
    out = []
    for e in entries:
        obj = objects[e.key]
        if e.action == "create":
            changes = {_model_field(model, f): [None, _plain(getattr(obj, f))] for f in fields
                       if getattr(obj, f) not in (None, "")}
        else:
            changes = {_model_field(model, f): [_plain(old), _plain(new)] for f, (old, new) in e.changes.items()}
        out.append(RowChange(model._meta.label, e.action, str(obj.pk), e.label, changes))
    return out


def _write_table(model, entries: list[Entry], build: Callable[[Entry], object], fields, progress,
                 extra_update=()) -> dict:
    """bulk_create the new rows, bulk_update the changed ones; returns key -> object of both."""
    new = [e for e in entries if e.action == "create"]
    changed = [e for e in entries if e.action == "update"]
    objects = {}
    for chunk in _chunks(new):
        objs = [build(e) for e in chunk]
        model.objects.bulk_create(objs)
        objects.update((e.key, o) for e, o in zip(chunk, objs))
        progress(len(chunk))
    for chunk in _chunks(changed):
        objs = []
        for e in chunk:
            obj = build(e)
            obj.pk = e.pk
            objs.append(obj)
        model.objects.bulk_update(objs, [*fields, *extra_update])
        objects.update((e.key, o) for e, o in zip(chunk, objs))
        progress(len(chunk))
    return objects


def _lock() -> None:
    advisory_lock(LOCK)


def _renewed_outlets(plan: Plan, outlet_ids: dict) -> dict[int, int]:
    """{earlier version's outlet id: new version's outlet id} for the outlet codes both versions have."""
    new_permit = {e.record.values["credit_code"]: e.key for e in plan.entries["permits"] if e.action == "create"}
    old = Outlet.objects.filter(permit_id__in=[e.pk for e in plan.renewals]).values_list(
        "id", "code", "enterprise__credit_code")
    moves = {}
    for outlet_id, code, credit_code in old:
        target = outlet_ids.get((new_permit.get(credit_code), code))
        if target is not None:
            moves[outlet_id] = target
    return moves


def write_plan(plan: Plan, *, source: str, progress: Callable[[int], None] | None = None) -> None:
    """Write a plan without refused rows. Call inside a transaction (``commit_files`` does)."""
    progress = progress or (lambda n: None)
    now = clock.now()
    audit: list[RowChange] = []

    def values(e, names):
        return {n: e.record.values[n] for n in names}

    firms = _write_table(Enterprise, plan.entries["enterprises"],
                         lambda e: Enterprise(credit_code=e.key, updated_at=now, **values(e, ENTERPRISE_FIELDS)),
                         ENTERPRISE_FIELDS, progress, ("updated_at",))
    audit += _audit(Enterprise, [e for e in plan.entries["enterprises"] if e.action != "unchanged"], firms)
    firm_ids = dict(Enterprise.objects.filter(credit_code__in=[e.key for e in plan.entries["enterprises"]])
                    .values_list("credit_code", "id"))
    if plan.renewals:
        Permit.objects.filter(pk__in=[e.pk for e in plan.renewals]).update(status=Permit.Status.EXPIRED)
        renewed = {e.key: Permit(pk=e.pk, number=e.key) for e in plan.renewals}
        audit += _audit(Permit, [Entry("permits", "update", e.key, e.label, None, e.pk, e.changes)
                                 for e in plan.renewals], renewed)
    permits = _write_table(
        Permit, plan.entries["permits"],
        lambda e: Permit(number=e.key, enterprise_id=firm_ids[e.record.values["credit_code"]],
                         **values(e, PERMIT_FIELDS)), PERMIT_FIELDS, progress)
    audit += _audit(Permit, [e for e in plan.entries["permits"] if e.action != "unchanged"], permits)
    numbers = [e.key for e in plan.entries["permits"]]
    permit_ids = {}
    for chunk in _chunks(numbers, 5000):
        permit_ids.update({n: (pid, eid) for n, pid, eid in Permit.objects.filter(number__in=chunk)
                           .values_list("number", "id", "enterprise_id")})
    outlets = _write_table(
        Outlet, plan.entries["outlets"],
        lambda e: Outlet(permit_id=permit_ids[e.key[0]][0], enterprise_id=permit_ids[e.key[0]][1], code=e.key[1],
                         **values(e, OUTLET_FIELDS)), OUTLET_FIELDS, progress)
    audit += _audit(Outlet, [e for e in plan.entries["outlets"] if e.action != "unchanged"], outlets)
    outlet_ids = {}
    for chunk in _chunks(numbers, 5000):
        outlet_ids.update({(n, c): oid for n, c, oid in Outlet.objects.filter(permit__number__in=chunk)
                           .values_list("permit__number", "code", "id")})
    limits = _write_table(
        PermitLimit, plan.entries["limits"],
        lambda e: PermitLimit(outlet_id=outlet_ids[e.key[:2]], pollutant_id=e.key[2], **values(e, LIMIT_FIELDS)),
        LIMIT_FIELDS, progress)
    audit += _audit(PermitLimit, [e for e in plan.entries["limits"] if e.action != "unchanged"], limits)
    if plan.renewals:
        outlets_renewed.send(sender=Outlet, moves=_renewed_outlets(plan, outlet_ids), source=source)
    duties = _write_table(
        MonitoringDuty, plan.entries["duties"],
        lambda e: MonitoringDuty(permit_id=permit_ids[e.key[0]][0], outlet_id=outlet_ids.get(e.key[:2]),
                                 pollutant_id=e.key[2], **values(e, DUTY_FIELDS)), DUTY_FIELDS, progress)
    audit += _audit(MonitoringDuty, [e for e in plan.entries["duties"] if e.action != "unchanged"], duties)
    rows_written.send(sender=Enterprise, changes=audit, source=source)


def commit_files(files: list[tuple[str, bytes]], *, source: str, expected_counts: dict | None = None,
                 progress: Callable[[int], None] | None = None) -> Plan:
    """Check ``files`` against the database as it is now and write all of it in one transaction.
    Raises ``ImportRefused`` (nothing written) when any row is refused, ``CheckOutdated`` when the
    counts differ from the ``expected_counts`` of the dry run the user confirmed."""
    with transaction.atomic():
        _lock()
        plan = plan_files(files, progress=progress)
        if plan.problems:
            raise ImportRefused(plan)
        if expected_counts is not None and plan.counts != expected_counts:
            raise CheckOutdated(plan)
        write_plan(plan, source=source, progress=progress)
    return plan


# --- the import record of the page and the command -------------------------------------------------

def _display(plan: Plan) -> dict:
    """What the dry-run page shows, as JSON: counts, every refused row, a sample of the changes."""
    lookups = {
        "industry_id": dict((pk, f"{c} {n}") for pk, c, n in Industry.objects.values_list("id", "code", "name")),
        "township_id": dict(Township.objects.values_list("id", "name")),
        "village_id": dict(Village.objects.values_list("id", "name")),
        "grid_id": dict(Grid.objects.values_list("id", "name")),
    }
    changes = []
    for table, entries in plan.entries.items():
        model = TABLES[table][0]
        for e in entries:
            if e.action == "unchanged" or len(changes) >= SAMPLE_CHANGES:
                continue
            fields = []
            for name, (old, new) in e.changes.items():
                f = model._meta.get_field(name.removesuffix("_id"))
                show = lookups.get(name, dict(f.flatchoices) if f.choices else {})
                fields.append([str(f.verbose_name), str(show.get(old, _plain(old) if old is not None else "")),
                               str(show.get(new, _plain(new) if new is not None else ""))])
            changes.append({"table": table, "action": e.action, "label": e.label,
                            "sheet": e.record.sheet, "row": e.record.row, "fields": fields})
    for e in plan.renewals:
        changes.append({"table": "permits", "action": "renewed", "label": e.label, "sheet": "", "row": None,
                        "fields": []})
    return {"counts": plan.counts, "rows": plan.rows, "writes": plan.writes,
            "problems": [p.__dict__ for p in plan.problems], "changes": changes,
            "more_changes": max(0, plan.writes - len(changes))}


def registry_import_check(*, files: list[tuple[str, bytes]], user=None,
                          progress: Callable[[int], None] | None = None) -> RegistryImport:
    """The dry run, kept: stores the files and what the check found. Writes nothing to the registry."""
    plan = plan_files(files, progress=progress)
    record = RegistryImport.objects.create(
        created_by=user if getattr(user, "is_authenticated", False) else None,
        file_names="、".join(name for name, _ in files)[:255], summary=_display(plan))
    RegistryImportFile.objects.bulk_create([
        RegistryImportFile(registry_import=record, name=name[:200], sha256=hashlib.sha256(content).hexdigest(),
                           content=content) for name, content in files])
    return record


class AlreadyHandled(Exception):
    """The import was committed (or failed) already, e.g. by a second click on the confirmation."""


def registry_import_confirm(*, registry_import: RegistryImport) -> RegistryImport:
    """The user confirmed a checked import: it is queued for a worker (``tasks.commit_registry_import``
    on the imports queue), once, whatever the number of clicks."""
    confirmed = RegistryImport.objects.filter(pk=registry_import.pk, status=RegistryImport.Status.CHECKED).update(
        status=RegistryImport.Status.QUEUED)
    registry_import.refresh_from_db()
    if not confirmed:
        raise AlreadyHandled(registry_import.get_status_display())
    return registry_import


def registry_import_release(*, registry_import_id: int) -> None:
    """A confirmation that could not be queued (the broker is down) is checked again, to be confirmed later."""
    RegistryImport.objects.filter(pk=registry_import_id, status=RegistryImport.Status.QUEUED).update(
        status=RegistryImport.Status.CHECKED)


def registry_import_commit(*, registry_import: RegistryImport,
                           progress: Callable[[int], None] | None = None) -> RegistryImport:
    """Write a checked (or confirmed and queued) import, all or nothing; the record says whether it went
    in and what it wrote. The record is locked while it is written, so a second confirmation cannot run it
    twice."""
    files = [(f.name, bytes(f.content)) for f in registry_import.files.all()]
    source = "、".join(f"{f.name} (sha256 {f.sha256[:12]})" for f in registry_import.files.all())
    try:
        with transaction.atomic():
            locked = RegistryImport.objects.select_for_update().get(pk=registry_import.pk)
            if locked.status not in (RegistryImport.Status.CHECKED, RegistryImport.Status.QUEUED):
                raise AlreadyHandled(locked.get_status_display())
            plan = commit_files(files, source=f"registry import #{registry_import.pk}: {source}",
                                expected_counts=locked.summary["counts"], progress=progress)
            registry_import.status = RegistryImport.Status.COMMITTED
            registry_import.summary = _display(plan)
            registry_import.committed_at = clock.now()
            registry_import.save(update_fields=["status", "summary", "committed_at"])
    except AlreadyHandled:
        registry_import.refresh_from_db()
        raise
    except ImportRefused as refused:
        registry_import.status = RegistryImport.Status.FAILED
        registry_import.summary = _display(refused.plan)
        if isinstance(refused, CheckOutdated):
            registry_import.summary["error"] = str(_("The registry changed since the check; upload the file again."))
        registry_import.save(update_fields=["status", "summary"])
        raise
    except Exception as exc:  # rolled back: record why, then let the caller see the error
        registry_import.status = RegistryImport.Status.FAILED
        registry_import.summary = {**registry_import.summary, "error": f"{type(exc).__name__}: {exc}"[:500]}
        registry_import.save(update_fields=["status", "summary"])
        raise
    return registry_import
