"""What the outreach pages share: role decorators, and a page re-rendered with the reason and the
4xx status of a refused service call."""
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from .. import access
from ..services.errors import OutreachError


def _role_required(check):
    def decorator(view):
        @login_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not check(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)
        return wrapper
    return decorator


staff_required = _role_required(access.is_staff)
enterprise_required = _role_required(access.is_enterprise)
bureau_required = _role_required(access.may_publish)


def refused(request, template: str, context: dict, error: OutreachError):
    return render(request, template, {**context, "error": error.message}, status=error.status_code)
