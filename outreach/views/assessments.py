"""Self-assessment pages: the enterprise fills the checklist of its permit for a period and sees its
past assessments; staff (the township first) see the assessments that differ from the platform."""
import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from core import clock
from enterprises import jurisdiction

from .. import access, selectors
from ..models import SelfAssessment
from ..services import assessments as service
from ..services.errors import OutreachError
from ..services.periods import parse_period
from .common import enterprise_required, refused, staff_required


def last_quarter(today: dt.date) -> tuple[dt.date, dt.date]:
    first_this = dt.date(today.year, (today.month - 1) // 3 * 3 + 1, 1)
    end = first_this - dt.timedelta(days=1)
    return dt.date(end.year, (end.month - 1) // 3 * 3 + 1, 1), end


@enterprise_required
def assessment_fill(request):
    user = request.user
    default = last_quarter(clock.now().date())
    period = parse_period(request.POST.get("start") or request.GET.get("start") or str(default[0]),
                          request.POST.get("end") or request.GET.get("end") or str(default[1])) or default
    lines = service.obligations(user.enterprise, *period)
    context = {"lines": lines, "start": period[0], "end": period[1],
               "past": SelfAssessment.objects.filter(enterprise_id=user.enterprise_id)}
    if request.method == "POST":
        declarations = {line["ref"]: {"ok": request.POST.get(f"ok-{line['ref']}") == "1",
                                      "note": request.POST.get(f"note-{line['ref']}", "")}
                        for line in lines if request.POST.get(f"ok-{line['ref']}") in ("0", "1")}
        try:
            assessment = service.assessment_submit(user=user, start=period[0], end=period[1],
                                                   declarations=declarations)
        except OutreachError as exc:
            return refused(request, "outreach/assessment_fill.html", context, exc)
        messages.success(request, _("Self-assessment submitted."))
        return redirect("outreach:assessment_detail", pk=assessment.pk)
    return render(request, "outreach/assessment_fill.html", context)


@login_required
def assessment_detail(request, pk: int):
    if not (access.is_staff(request.user) or access.is_enterprise(request.user)):
        raise Http404
    assessment = jurisdiction.restrict(SelfAssessment.objects.select_related("enterprise"), request.user) \
        .filter(pk=pk).first()
    if assessment is None:
        raise Http404
    return render(request, "outreach/assessment_detail.html", {"assessment": assessment,
                                                               "lines": assessment.lines.all()})


@staff_required
def assessment_differences(request):
    return render(request, "outreach/assessment_differences.html",
                  {"assessments": selectors.assessments_with_differences(request.user)[:200]})
