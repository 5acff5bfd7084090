"""Models of notifications."""
from .notifications import Channel, Delivery, Digest, Notification
from .preferences import CHOOSABLE, ROLE_DEFAULTS, ChannelPreference

__all__ = ["CHOOSABLE", "ROLE_DEFAULTS", "Channel", "ChannelPreference", "Delivery", "Digest", "Notification"]
