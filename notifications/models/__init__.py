"""Models of notifications."""
from .notifications import Channel, Delivery, Notification

__all__ = ["Channel", "Delivery", "Notification"]
