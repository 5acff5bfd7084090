"""The 403, 404 and 500 answers of the whole site: JSON (``{"detail", "code"}``, as the API's other
errors) under ``/api/``, a friendly zh-Hans page elsewhere. Wired as ``handler403/404/500`` in config."""
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

API_PREFIX = "/api/"
TEXTS = {
    403: ("permission_denied", "You may not see this page."),
    404: ("not_found", "This page does not exist."),
    500: ("server_error", "Something went wrong on our side; it has been logged. Please try again later."),
}


def _answer(request, status: int):
    code, text = TEXTS[status]
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"detail": _(text), "code": code}, status=status)
    return render(request, f"{status}.html", {"message": _(text), "status": status}, status=status)


def permission_denied(request, exception=None):
    return _answer(request, 403)


def page_not_found(request, exception=None):
    return _answer(request, 404)


def server_error(request):
    return _answer(request, 500)
