"""Signals of the enterprises app, for the apps that build on it (they depend on enterprises, not the
other way round)."""
import json
from dataclasses import dataclass

from django.core.serializers.json import DjangoJSONEncoder
from django.dispatch import Signal

# Sent by the registry import, inside its transaction, when renewed permits got new outlets.
# Arguments: ``moves`` {earlier version's outlet id: new version's outlet id of the same code} and
# ``source`` (the import and its files, for the audit log). Receivers move what hangs on an outlet.
outlets_renewed = Signal()

# Sent after set-based writes (bulk_create and bulk_update send no model signals), inside their
# transaction. Arguments: ``changes``, a list of ``RowChange``, and ``source`` (the file the rows came
# from). The audit log records one entry per change.
rows_written = Signal()


@dataclass(frozen=True)
class RowChange:
    model_label: str
    action: str  # "create" or "update"
    object_id: str
    object_repr: str
    changes: dict  # {field: [old, new]}, JSON-ready


def created_changes(rows: list) -> list[RowChange]:
    """The ``rows_written`` changes of rows just created in bulk (of one model): every field they set."""
    if not rows:
        return []
    model = type(rows[0])
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    changes = []
    for row in rows:
        values = {f.name: f.value_from_object(row) for f in fields}
        plain = json.loads(json.dumps({k: v for k, v in values.items() if v not in (None, "")}, cls=DjangoJSONEncoder))
        changes.append(RowChange(model_label=model._meta.label, action="create", object_id=str(row.pk),
                                 object_repr=str(row)[:200], changes={k: [None, v] for k, v in plain.items()}))
    return changes
