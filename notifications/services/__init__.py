"""Writes of notifications: every app sends through ``notify`` / ``notify_many``."""
from .delivery import (
           Message,
           deliver,
           deliver_due,
           deliver_notification,
           notification_mark_read,
           notify,
           notify_many,
)

__all__ = ["Message", "notify", "notify_many", "deliver", "deliver_due", "deliver_notification",
           "notification_mark_read"]
