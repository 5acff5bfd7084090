"""Reads of notifications: a user's inbox."""
from django.db.models import Q

from .models import Notification


def inbox(user):
    """Notifications addressed to ``user`` or to the enterprise the user stands for, newest first."""
    q = Q(user=user)
    if getattr(user, "enterprise_id", None):
        q |= Q(enterprise_id=user.enterprise_id)
    return Notification.objects.filter(q)
