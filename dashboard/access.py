"""Who may open the dashboard: signed-in bureau staff, enforcement officers, township and grid officers.

Anonymous users are sent to the login page; enterprise accounts and users bound to nothing get 403.
What each allowed user then sees is cut by ``enterprises.jurisdiction`` in the selectors.
"""
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from enterprises import jurisdiction
from enterprises.models import Role


def may_use_dashboard(user) -> bool:
    """True for active county-wide staff and for township/grid officers bound to a township."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if jurisdiction.is_county_wide(user):
        return True
    return user.role in (Role.TOWNSHIP, Role.GRID) and user.township_id is not None


def dashboard_view(view):
    """Decorator of every dashboard view: login required, then the role check (403 otherwise)."""
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not may_use_dashboard(request.user):
            raise PermissionDenied("The dashboard is for bureau staff and township officers.")
        return view(request, *args, **kwargs)
    return wrapped
