"""Signals of the enterprises app, for the apps that build on it (they depend on enterprises, not the
other way round)."""
from dataclasses import dataclass

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
