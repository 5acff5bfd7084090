"""The three mobile-first pages (enterprise self-service, township patrol, enforcement officer).

Each page is a server-rendered shell with a login form; everything after login runs in the browser
(``static/mobile/``) on the REST API with a token kept in localStorage, so the API's role and
jurisdiction checks (``enterprises.jurisdiction``) are the only gate to data: the shell itself shows
none. The UI strings are translated here and handed to the scripts as JSON.
"""
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from enterprises.models import Role

PAGES = {
    "enterprise": {"title": gettext_lazy("Enterprise self-service"), "roles": [Role.ENTERPRISE]},
    "township": {"title": gettext_lazy("Township patrol"), "roles": [Role.TOWNSHIP, Role.GRID]},
    "enforcement": {"title": gettext_lazy("Enforcement officer"), "roles": [Role.ENFORCEMENT, Role.BUREAU]},
}


def strings() -> dict:
    """Every string the scripts show, translated in the request's language."""
    return {
        "loginFailed": _("Wrong username or password."), "wrongRole": _("This page is not for your account."),
        "network": _("Network problem; will retry with the same request."), "done": _("Done."),
        "nothing": _("Nothing here."), "acknowledge": _("Acknowledge"), "acknowledged": _("acknowledged"),
        "fill": _("Fill in the checklist"), "submit": _("Submit"), "pass": _("pass"), "fail": _("fail"),
        "na": _("not applicable"), "note": _("Note"), "failNeedsNote": _("A failed line needs a note."),
        "answered": _("answered"), "accept": _("Accept"), "start": _("Start handling"),
        "feedback": _("Feed back"), "feedbackText": _("What was done"), "photo": _("Photo"),
        "choosePhoto": _("Take or choose a photo"), "noPhoto": _("No photo chosen"),
        "approve": _("Approve the fix"), "sendBack": _("Send back"), "close": _("Close"), "due": _("due"),
        "submitted": _("Submitted."), "startPatrol": _("Start a patrol"), "startInspection": _("Start an inspection"),
        "chooseEnterprise": _("Choose an enterprise"), "roundSaved": _("saved"), "error": _("Error"),
        "chooseGrid": _("Choose a grid"), "passToGrid": _("Pass to a grid"), "overdue": _("overdue"),
        "shareLocation": _("Add my current location (asks for permission)"),
        "noLocation": _("The location could not be read; sent without it."),
        "score": _("Score"), "lostPoints": _("Where points were lost"), "notScored": _("Not scored yet"),
        "colours": {"green": _("Green code"), "blue": _("Blue code"), "yellow": _("Yellow code"),
                    "orange": _("Orange code"), "red": _("Red code")},
        "searchEnterprise": _("Search by name or credit code"), "refine": _("shown; type more to narrow"),
    }


@require_GET
def page(request, client: str):
    spec = PAGES[client]
    return render(request, f"fieldsync/{client}.html", {
        "client": client, "title": spec["title"], "roles": [str(r) for r in spec["roles"]], "strings": strings(),
    })
