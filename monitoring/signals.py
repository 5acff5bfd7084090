"""Signals monitoring sends to the apps that judge its data (they import monitoring, never the reverse)."""
from django.dispatch import Signal

# Sent by ``invalid_periods_set`` with ``device``, ``spans`` (the (start, end) spans whose windows were just
# counted again because the device's invalid periods changed) and ``now``, inside the change's transaction.
windows_recounted = Signal()
