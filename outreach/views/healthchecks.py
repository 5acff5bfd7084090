"""Health-check pages (一企一策): the list with open and overdue remedy items, recording a check with
its plan, a check with its items and the "done" action."""
import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import clock
from enterprises import jurisdiction

from .. import access, selectors
from ..models import HealthCheck, RemedyItem
from ..services import healthchecks as service
from ..services.errors import OutreachError
from .common import refused

ITEM_ROWS = 5


def _allowed(user) -> bool:
    return access.is_staff(user) or access.is_enterprise(user)


@login_required
def health_list(request):
    if not _allowed(request.user):
        raise Http404
    today = clock.now().date()
    overdue = list(selectors.overdue_remedies(request.user, today)[:200])
    for item in overdue:
        item.days_overdue = selectors.overdue_days(item, today)
    return render(request, "outreach/health_list.html", {
        "checks": selectors.visible_health_checks(request.user)[:200], "overdue": overdue})


def _date(value) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        return None


@login_required
def health_new(request):
    user = request.user
    if not _allowed(user):
        raise Http404
    enterprises = jurisdiction.visible_enterprises(user).order_by("name").only("pk", "name")
    context = {"enterprises": enterprises, "rows": range(ITEM_ROWS), "severities": RemedyItem.Severity.choices,
               "form": request.POST, "today": clock.now().date()}
    if request.method == "POST":
        post = request.POST
        enterprise = enterprises.filter(pk=post.get("enterprise") if post.get("enterprise", "").isdigit()
                                        else None).first()
        items = [{"risk": post.get(f"risk-{n}", ""), "measure": post.get(f"measure-{n}", ""),
                  "deadline": _date(post.get(f"deadline-{n}")), "severity": post.get(f"severity-{n}")}
                 for n in range(ITEM_ROWS) if post.get(f"risk-{n}", "").strip() or post.get(f"measure-{n}", "").strip()]
        try:
            if enterprise is None:
                raise OutreachError(_("Choose an enterprise."))
            checked_on = _date(post.get("checked_on"))
            if checked_on is None:
                raise OutreachError(_("Give the date of the check."))
            check = service.health_check_record(user=user, enterprise=enterprise, checked_on=checked_on,
                                                summary=post.get("summary", ""), steward=post.get("steward", ""),
                                                items=items)
        except OutreachError as exc:
            return refused(request, "outreach/health_new.html", context, exc)
        messages.success(request, _("Health check recorded."))
        return redirect("outreach:health_detail", pk=check.pk)
    return render(request, "outreach/health_new.html", context)


def _visible_check(request, pk: int) -> HealthCheck:
    check = jurisdiction.restrict(HealthCheck.objects.select_related("enterprise", "recorded_by"), request.user) \
        .filter(pk=pk).first()
    if check is None or not _allowed(request.user):
        raise Http404
    return check


@login_required
def health_detail(request, pk: int):
    check = _visible_check(request, pk)
    return render(request, "outreach/health_detail.html", {"check": check, "items": check.items.all(),
                                                           "today": clock.now().date()})


@login_required
@require_POST
def remedy_done(request, pk: int):
    item = get_object_or_404(RemedyItem, pk=pk)
    check = _visible_check(request, item.health_check_id)
    try:
        service.remedy_item_done(user=request.user, item=item, note=request.POST.get("note", ""))
    except OutreachError as exc:
        return refused(request, "outreach/health_detail.html",
                       {"check": check, "items": check.items.all(), "today": clock.now().date()}, exc)
    messages.success(request, _("Marked done."))
    return redirect("outreach:health_detail", pk=check.pk)
