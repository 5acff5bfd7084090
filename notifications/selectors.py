"""Reads of notifications: a user's inbox, a user's channel choice."""
from django.db.models import Q

from .models import ChannelPreference, Notification


def inbox(user):
    """Notifications addressed to ``user`` or to the enterprise the user stands for, newest first."""
    q = Q(user=user)
    if getattr(user, "enterprise_id", None):
        q |= Q(enterprise_id=user.enterprise_id)
    return Notification.objects.filter(q)


def preference_of(user) -> ChannelPreference:
    """The user's saved channel choice, or the role's default (unsaved)."""
    return ChannelPreference.objects.filter(user=user).first() or ChannelPreference.default_for(user)
