"""Records an ``AuditEntry`` for every save and delete of the audited models, through model signals.

The entry is written in the same transaction as the change, so a rolled-back change leaves no entry.
An update is recorded only when a field really changed (``save(update_fields=...)`` compares just those
fields); ``auto_now`` timestamps are left out. Not recorded (they send no signals): ``bulk_create``,
``QuerySet.update`` and ``QuerySet.delete`` on non-cascading raw SQL, i.e. set-based work such as
``seed_demo``'s bulk loading and the deadline stamps of ``dispatch.services.deadlines``; also fixture loading
(``raw`` saves).
"""
import datetime as dt
import json
from decimal import Decimal

from celery.signals import task_postrun, task_prerun
from django.apps import apps
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models.fields.files import FieldFile
from django.db.models.signals import post_delete, post_save, pre_save

from core import clock
from enterprises.signals import rows_written

from . import context

# Permits, work orders, cases (inspection rounds with case filing, penalty decisions), eco-code settings.
AUDITED = (
    "enterprises.Permit", "enterprises.Outlet", "enterprises.PermitLimit", "enterprises.MonitoringDuty",
    "enterprises.PermitItem",
    "dispatch.WorkOrder", "dispatch.Round", "monitoring.BackfillApproval",
    "enforcement.Case", "ecocode.Indicator", "ecocode.ColourBand", "ecocode.Objection", "ecocode.CreditRepair",
    "ecocode.ReportedEmission",
)


def _fields(model):
    return [f for f in model._meta.concrete_fields
            if not f.primary_key and not getattr(f, "auto_now", False)]


def _plain(value):
    """A JSON-friendly form of a field value."""
    if isinstance(value, FieldFile):
        return value.name or None
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        value = value.astimezone(dt.timezone.utc)
    if isinstance(value, (bytes, memoryview)):
        return "<binary>"
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def _python(field, value):
    if value is None or field.is_relation:
        return value
    try:
        return field.to_python(value)
    except Exception:  # an invalid value fails at save time anyway; compare it as it is
        return value


def _same(a, b) -> bool:
    if isinstance(a, FieldFile) or isinstance(b, FieldFile):
        return (getattr(a, "name", a) or None) == (getattr(b, "name", b) or None)
    if isinstance(a, dt.datetime) and isinstance(b, dt.datetime) and (a.tzinfo is None) != (b.tzinfo is None):
        return False
    return a == b


def _before_save(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw or instance._state.adding or instance.pk is None:
        instance._audit_before = None
        return
    fields = [f for f in _fields(sender) if update_fields is None or f.name in update_fields
              or f.attname in update_fields]
    row = sender._base_manager.using(kwargs.get("using")).filter(pk=instance.pk).values(
        *[f.attname for f in fields]).first()
    instance._audit_before = (fields, row)


def _after_save(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    before = getattr(instance, "_audit_before", None)
    instance._audit_before = None
    if created or before is None or before[1] is None:
        changes = {f.name: [None, _plain(f.value_from_object(instance))] for f in _fields(sender)
                   if f.value_from_object(instance) not in (None, "")}
        _write("create", instance, changes)
        return
    fields, row = before
    changes = {}
    for f in fields:
        old, new = row[f.attname], _python(f, f.value_from_object(instance))
        if not _same(old, new):
            changes[f.name] = [_plain(old), _plain(new)]
    if changes:
        _write("update", instance, changes)


def _after_delete(sender, instance, **kwargs):
    changes = {f.name: [_plain(f.value_from_object(instance)), None] for f in _fields(sender)
               if f.value_from_object(instance) not in (None, "")}
    _write("delete", instance, changes)


def _write(action, instance, changes):
    from .models import AuditEntry

    user, label, request_id, ip = context.actor()
    AuditEntry.objects.create(
        at=clock.now(), actor=user, actor_label=label[:150], action=action,
        model_label=instance._meta.label, object_id=str(instance.pk), object_repr=str(instance)[:200],
        changes=changes, request_id=request_id, ip=ip)


def _rows_written(sender, *, changes, source: str = "", **kwargs):
    """Entries for set-based writes (``enterprises.signals.rows_written``), with the file they came from."""
    from .models import AuditEntry

    user, label, request_id, ip = context.actor()
    at = clock.now()
    AuditEntry.objects.bulk_create([
        AuditEntry(at=at, actor=user, actor_label=label[:150], action=c.action, model_label=c.model_label,
                   object_id=c.object_id, object_repr=c.object_repr[:200], changes=c.changes,
                   request_id=request_id, ip=ip, source=source[:255]) for c in changes], batch_size=2000)


_task_scopes = {}


def _task_started(task_id=None, task=None, **kwargs):
    scope = context.acting_as(f"task:{task.name}")
    scope.__enter__()
    _task_scopes[task_id] = scope


def _task_finished(task_id=None, **kwargs):
    scope = _task_scopes.pop(task_id, None)
    if scope is not None:
        scope.__exit__(None, None, None)


def connect() -> None:
    for label in AUDITED:
        model = apps.get_model(label)
        uid = f"audit:{label}"
        pre_save.connect(_before_save, sender=model, dispatch_uid=uid)
        post_save.connect(_after_save, sender=model, dispatch_uid=uid)
        post_delete.connect(_after_delete, sender=model, dispatch_uid=uid)
    rows_written.connect(_rows_written, dispatch_uid="audit:rows_written")
    task_prerun.connect(_task_started, dispatch_uid="audit:task_prerun", weak=False)
    task_postrun.connect(_task_finished, dispatch_uid="audit:task_postrun", weak=False)
