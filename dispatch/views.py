"""Web pages of dispatch: work-order list and detail with actions, the public complaint form, the
complainant's private status page, and the monthly statistics per enforcement officer.

Every page checks role and jurisdiction (``enterprises.jurisdiction`` through ``selectors.work_order_q``);
refused actions (``WorkflowError``) answer with their 4xx status and the reason.
"""
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import F, Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core import clock
from core.net import client_ip
from enterprises import jurisdiction
from enterprises.models import Enterprise, Role

from . import selectors, services, workflow
from .forms import ActionForm, CampaignForm, ComplaintForm, FeedbackForm, FixedAnswerForm, PlanForm
from .models import Attachment, Complaint, WorkOrder
from .services import evidence
from .workflow import WorkflowError

COMPLAINTS_PER_HOUR = 5


@login_required
def order_list(request):
    user, now = request.user, clock.now()
    qs = selectors.visible_work_orders(user)
    scope = request.GET.get("scope", "all")
    if scope == "mine":
        qs = qs.filter(selectors.assigned_q(user))
    if request.GET.get("overdue"):
        qs = qs.filter(selectors.overdue_q(now))
    if request.GET.get("source") in WorkOrder.Source.values:
        qs = qs.filter(source=request.GET["source"])
    if search := request.GET.get("q", "").strip():
        qs = qs.filter(selectors.order_search_q(search))
    if request.GET.get("state") in WorkOrder.State.values:
        qs = qs.filter(state=request.GET["state"])
    elif not request.GET.get("closed"):
        qs = qs.exclude(state=WorkOrder.State.CLOSED)
    qs = selectors.with_overdue(qs.select_related("enterprise", "township", "grid", "team"), now) \
        .order_by(F("overdue_since").asc(nulls_last=True), "-opened_at", "-id")
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    for order in page:
        order.overdue_by = now - order.overdue_since if order.overdue_since else None
    return render(request, "dispatch/order_list.html", {
        "page": page, "scope": scope, "states": WorkOrder.State.choices, "sources": WorkOrder.Source.choices,
        "now": now,
        "rate": selectors.on_time_rate(qs=selectors.visible_work_orders(user), now=now),
        "overdue_total": selectors.visible_work_orders(user).filter(selectors.overdue_q(now)).count(),
    })


def _visible_order(request, pk: int) -> WorkOrder:
    order = get_object_or_404(WorkOrder.objects.select_related("enterprise", "township", "grid", "team"), pk=pk)
    if not selectors.can_see(request.user, order):
        raise Http404
    return order


@login_required
def attachment(request, pk: int):
    """An evidence file, only to those who may see its work order (uploads are never served by path)."""
    item = get_object_or_404(Attachment.objects.select_related("feedback__work_order", "line_result__work_order"),
                             pk=pk)
    if item.feedback_id:
        order = item.feedback.work_order
    elif item.line_result_id and item.line_result.work_order_id:
        order = item.line_result.work_order
    else:
        raise Http404
    if not selectors.can_see(request.user, order):
        raise Http404
    return FileResponse(item.file.open("rb"), content_type=item.content_type)


@login_required
def complaint_photo(request, pk: int):
    """A complaint's photo, only to those who may see the complaint's work order."""
    complaint = get_object_or_404(Complaint.objects.select_related("work_order"), pk=pk)
    if not complaint.photo or complaint.work_order is None or not selectors.can_see(request.user,
                                                                                   complaint.work_order):
        raise Http404
    return FileResponse(complaint.photo.open("rb"))


def _detail(request, order: WorkOrder, *, status: int = 200, error: str = ""):
    now = clock.now()
    order = selectors.with_overdue(WorkOrder.objects.filter(pk=order.pk), now).select_related(
        "enterprise", "township", "grid", "team", "officer").get()
    feedbacks = [(fb, evidence.completeness(fb)) for fb in order.feedbacks.prefetch_related("attachments")]
    actions = workflow.allowed_actions(request.user, order)
    transitions = list(order.transitions.select_related("by"))
    for step in transitions:
        step.label = workflow.ACTION_LABELS.get(step.action, step.action)
    return render(request, "dispatch/order_detail.html", {
        "order": order, "overdue_by": now - order.overdue_since if order.overdue_since else None,
        "transitions": transitions, "feedbacks": feedbacks, "error": error,
        "plain_actions": [(a, workflow.ACTION_LABELS[a]) for a in actions
                          if a not in ("plan", "feed_back", "pass_to_grid")],
        "grids": order.township.grids.order_by("name") if "pass_to_grid" in actions else None,
        "can_plan": "plan" in actions, "can_feed_back": "feed_back" in actions,
        "plan_form": PlanForm(), "feedback_form": FeedbackForm(initial={"client_uuid": uuid.uuid4()}),
        "action_form": ActionForm(),
    }, status=status)


@login_required
def order_detail(request, pk: int):
    return _detail(request, _visible_order(request, pk))


@login_required
@require_POST
def order_act(request, pk: int):
    """Take an action on an order: a plain transition, a rectification plan, or a feedback with files."""
    order = _visible_order(request, pk)
    action = request.POST.get("action", "")
    try:
        if action == "plan":
            form = PlanForm(request.POST)
            if not form.is_valid():
                return _detail(request, order, status=400, error=_form_errors(form))
            services.work_order_report_plan(order_id=order.pk, user=request.user, text=form.cleaned_data["plan_text"],
                                            completion_date=form.cleaned_data["completion_date"])
        elif action == "feed_back":
            _feed_back(request, order)
        elif action == "pass_to_grid":
            grid = order.township.grids.filter(pk=request.POST.get("grid") or 0).first()
            services.work_order_pass_to_grid(order_id=order.pk, user=request.user, grid=grid,
                                             note=request.POST.get("note", "")[:2000])
        else:
            form = ActionForm(request.POST)
            if not form.is_valid():
                return _detail(request, order, status=400, error=_form_errors(form))
            services.work_order_act(order_id=order.pk, action=action, user=request.user, note=form.cleaned_data["note"])
    except WorkflowError as exc:
        return _detail(request, order, status=exc.status_code, error=str(exc))
    messages.success(request, _("Done."))
    return redirect("dispatch:order_detail", pk=order.pk)


def _feed_back(request, order: WorkOrder) -> None:
    form = FeedbackForm(request.POST)
    if not form.is_valid():
        raise WorkflowError(_form_errors(form))
    services.feedback_submit(order_id=order.pk, user=request.user, text=form.cleaned_data["text"],
                             files=request.FILES.getlist("files"), client_uuid=form.cleaned_data["client_uuid"])


def _form_errors(form) -> str:
    return "; ".join(f"{form.fields[f].label or f}: {' '.join(e)}" if f in form.fields else " ".join(e)
                     for f, e in form.errors.items())


@require_http_methods(["GET", "POST"])
def complain(request):
    """The public complaint form: no login; CSRF-protected; at most a few complaints per IP an hour."""
    enterprise = None
    code = request.GET.get("enterprise") or request.POST.get("enterprise")
    if code:
        enterprise = Enterprise.objects.filter(credit_code=code).select_related("township").first()
    initial = {"township": enterprise.township_id} if enterprise else {}
    form = ComplaintForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST":
        key = f"dispatch:complain:{client_ip(request)}"
        cache.add(key, 0, timeout=3600)
        if cache.incr(key) > COMPLAINTS_PER_HOUR:
            return render(request, "dispatch/complain.html", {
                "form": form, "enterprise": enterprise,
                "error": _("Too many complaints from your network in the last hour; please try again later."),
            }, status=429)
        if form.is_valid():
            data = form.cleaned_data
            if enterprise is not None and enterprise.township_id != data["township"].pk:
                enterprise = None  # the public chose another place: keep the complaint about that place
            complaint = services.complaint_file(text=data["text"], channel=Complaint.Channel.WEB,
                                                enterprise=enterprise, township=data["township"], photo=data["photo"],
                                                contact=data["contact"])
            return redirect("dispatch:complaint_status", access_token=complaint.access_token)
        return render(request, "dispatch/complain.html", {"form": form, "enterprise": enterprise}, status=400)
    return render(request, "dispatch/complain.html", {"form": form, "enterprise": enterprise})


PUBLIC_STATE = {
    WorkOrder.State.DISCOVERED: "received", WorkOrder.State.DISPATCHED: "received",
    WorkOrder.State.ACCEPTED: "in_progress", WorkOrder.State.HANDLING: "in_progress",
    WorkOrder.State.FED_BACK: "checking", WorkOrder.State.REVIEWED: "checking", WorkOrder.State.CLOSED: "closed",
}


@require_http_methods(["GET", "POST"])
def complaint_status(request, access_token: str):
    """The complainant's private status page: no login, only public-safe facts (no names, no contacts)."""
    complaint = get_object_or_404(Complaint.objects.select_related("work_order", "township", "enterprise"),
                                  access_token=access_token)
    order = complaint.work_order
    asking = complaint.fixed_question_at is not None and order is not None and order.state == WorkOrder.State.CLOSED
    form = FixedAnswerForm(request.POST or None) if asking else None
    status = 200
    if request.method == "POST":
        if form is None:
            return render(request, "dispatch/complaint_status.html",
                          _status_context(complaint, None, _("There is no open question on this complaint.")),
                          status=409)
        if form.is_valid():
            try:
                services.complaint_answer_fixed(complaint=complaint, fixed=form.cleaned_data["fixed"],
                                                comment=form.cleaned_data["comment"])
            except WorkflowError as exc:
                return render(request, "dispatch/complaint_status.html",
                              _status_context(complaint, None, str(exc)), status=exc.status_code)
            return redirect("dispatch:complaint_status", access_token=access_token)
        status = 400
    response = render(request, "dispatch/complaint_status.html", _status_context(complaint, form), status=status)
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "no-referrer"
    return response


def _status_context(complaint: Complaint, form, error: str = "") -> dict:
    order = complaint.work_order
    now = clock.now()
    overdue = order is not None and WorkOrder.objects.filter(selectors.overdue_q(now), pk=order.pk).exists()
    return {"complaint": complaint, "order": order, "public_state": PUBLIC_STATE.get(order.state) if order else None,
            "overdue": overdue, "form": form, "error": error, "answers": complaint.answers.all()}


def _may_issue_campaigns(user) -> bool:
    return jurisdiction.is_bureau(user) or (user.role == Role.TOWNSHIP and bool(user.township_id))


@login_required
@require_http_methods(["GET", "POST"])
def campaigns(request):
    """Self-check campaigns: issue one (to a township, an industry, a colour, or all; once or monthly)
    and see how many notices each issued and how many the enterprises completed."""
    user = request.user
    if not _may_issue_campaigns(user):
        raise PermissionDenied
    form = CampaignForm(request.POST or None, user=user)
    status, error = 200, ""
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                campaign, issued = services.campaign_create(
                    user=user, title=data["title"], township=data["township"], industry=data["industry"],
                    colour=data["colour"], schedule=data["schedule"], due_days=data["due_days"])
            except WorkflowError as exc:
                status, error = exc.status_code, str(exc)
            else:
                messages.success(request, _("%(n)d self-check notice(s) issued.") % {"n": issued})
                return redirect("dispatch:campaigns")
        else:
            status, error = 400, _form_errors(form)
    page = Paginator(selectors.visible_campaigns(user), 30).get_page(request.GET.get("page"))
    colours = dict(selectors.colour_choices())
    for campaign in page:
        campaign.colour_label = colours.get(campaign.colour, "")
    return render(request, "dispatch/campaigns.html", {
        "form": form, "page": page, "error": error,
        "kpi": selectors.self_check_completion(township=None if jurisdiction.is_bureau(user) else user.township),
    }, status=status)


@login_required
def complaint_list(request):
    """Public complaints for staff, by jurisdiction: searchable (text, enterprise, contact), filterable by
    channel, township and state, paginated."""
    user = request.user
    if user.role == Role.ENTERPRISE:
        raise PermissionDenied
    qs = selectors.visible_complaints(user).select_related("enterprise", "township", "work_order")
    if search := request.GET.get("q", "").strip():
        qs = qs.filter(Q(text__icontains=search) | Q(enterprise__name__icontains=search)
                       | Q(contact__icontains=search))
    if request.GET.get("channel") in Complaint.Channel.values:
        qs = qs.filter(channel=request.GET["channel"])
    townships = jurisdiction.visible_townships(user).order_by("code")
    if (township := request.GET.get("township", "")).isdigit():
        qs = qs.filter(township_id=int(township))
    if request.GET.get("open"):
        qs = qs.exclude(work_order__state=WorkOrder.State.CLOSED)
    page = Paginator(qs.order_by("-created_at", "-id"), 50).get_page(request.GET.get("page"))
    return render(request, "dispatch/complaint_list.html", {
        "page": page, "channels": Complaint.Channel.choices, "townships": townships,
    })
