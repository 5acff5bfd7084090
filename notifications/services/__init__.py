"""Writes of notifications: every app sends through ``notify`` / ``notify_many``."""
from .delivery import (
           Message,
           deliver,
           deliver_due,
           deliver_notification,
           notification_mark_read,
           notify,
           notify_many,
           pending_of,
           pending_retries,
)
from .preferences import PreferenceError, preference_update

__all__ = ["Message", "notify", "notify_many", "deliver", "deliver_due", "deliver_notification",
           "notification_mark_read", "pending_of", "pending_retries", "PreferenceError", "preference_update"]
