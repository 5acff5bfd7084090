"""Web pages of alerts: the warning list and detail, acknowledgement, staff closing and
maintenance windows. Every page filters by jurisdiction (``enterprises.jurisdiction``)."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from enterprises.jurisdiction import visible_townships
from enterprises.models import AveragingPeriod
from monitoring.models import DataFlag

from . import selectors, services
from .forms import CloseForm, SilenceForm
from .models import AlertSettings, AlertState, Rule, Silence


def _alert_for(user, pk: int):
    return get_object_or_404(selectors.visible_alerts(user, open_only=False), pk=pk)


def _error_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


@login_required
def alert_list(request):
    """Warnings of my jurisdiction, 50 a page, filtered by state, rule, township and alarm, searched by
    enterprise name, credit code or outlet code; no cap."""
    params = request.GET
    show_all = params.get("state") in ("all", *AlertState.values)
    alerts = selectors.visible_alerts(request.user, open_only=not show_all)
    if params.get("state") in AlertState.values:
        alerts = alerts.filter(state=params["state"])
    if params.get("rule") in Rule.values:
        alerts = alerts.filter(rule=params["rule"])
    if params.get("township", "").isdigit():
        alerts = alerts.filter(enterprise__township_id=int(params["township"]))
    if params.get("alarm"):
        alerts = alerts.filter(is_alarm=True)
    if search := params.get("q", "").strip():
        alerts = alerts.filter(Q(enterprise__name__icontains=search) | Q(enterprise__credit_code__iexact=search)
                               | Q(outlet__code__iexact=search))
    page = Paginator(alerts.order_by("-opened_at", "-id"), 50).get_page(params.get("page"))
    outlets = selectors.silenceable_outlets(request.user)
    silences = list(selectors.visible_silences(request.user))
    for silence in silences:
        silence.can_decide = silence.status == "requested" and services.silence_may_decide(request.user, silence)
    return render(request, "alerts/alert_list.html", {
        "alerts": page, "page": page, "show_all": show_all, "states": AlertState.choices, "rules": Rule.choices,
        "townships": visible_townships(request.user).order_by("code"),
        "silences": silences,
        "silence_form": SilenceForm(outlets=outlets) if outlets.exists() else None,
    })


@login_required
def alert_detail(request, pk: int):
    alert = _alert_for(request.user, pk)
    user = request.user
    return render(request, "alerts/alert_detail.html", {
        "alert": alert, "events": alert.events.select_related("actor", "silence"),
        "silences": selectors.silences_of_outlet(alert.outlet_id),
        "loggers": selectors.loggers_of_missing(alert),
        "can_acknowledge": services.alert_can_acknowledge(user, alert),
        "close_form": CloseForm() if alert.is_open and services.alert_can_close(user, alert) else None,
        "flag_text": "、".join(str(DataFlag(flag).label) for flag in sorted(alert.evidence.get("flags", {}))
                              if flag in DataFlag.values),
        "averaging_period": AveragingPeriod(alert.evidence["averaging_period"]).label
        if alert.evidence.get("averaging_period") in AveragingPeriod.values else "",
    })


@login_required
@require_POST
def alert_acknowledge(request, pk: int):
    alert = _alert_for(request.user, pk)
    try:
        services.alert_acknowledge(alert=alert, user=request.user)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("Warning acknowledged. Re-notifications stop; escalation does not."))
    return redirect("alerts:alert-detail", pk=alert.pk)


@login_required
@require_POST
def alert_close(request, pk: int):
    alert = _alert_for(request.user, pk)
    form = CloseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("A reason is needed to close a warning."))
        return redirect("alerts:alert-detail", pk=alert.pk)
    try:
        services.alert_close(alert=alert, user=request.user, reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("Warning closed."))
    return redirect("alerts:alert-detail", pk=alert.pk)


@login_required
def silence_create(request):
    outlets = selectors.silenceable_outlets(request.user)
    if not outlets.exists():
        raise PermissionDenied
    form = SilenceForm(request.POST or None, outlets=outlets)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.silence_declare(outlet=data["outlet"], user=request.user, starts_at=data["starts_at"],
                                     ends_at=data["ends_at"], reason=data["reason"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Maintenance window declared."))
            if Silence.objects.filter(created_by=request.user, status="requested").exists():
                messages.info(request, _("Windows longer than %(minutes)d minutes mute warnings only once the "
                                         "township or the bureau approves them.")
                              % {"minutes": AlertSettings.current().self_approved_silence_minutes})
            return redirect("alerts:alert-list")
    status = 400 if request.method == "POST" else 200
    return render(request, "alerts/silence_form.html", {"form": form}, status=status)


@login_required
@require_POST
def silence_decide(request, pk: int):
    """The township or the bureau approves (or rejects) a requested maintenance window."""
    silence = get_object_or_404(selectors.visible_silences(request.user, current_only=False)
                                .select_related("enterprise"), pk=pk)
    approve = request.POST.get("decision") == "approve"
    try:
        services.silence_decide(silence=silence, user=request.user, approve=approve, note=request.POST.get("note", ""))
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("Maintenance window approved.") if approve else _("Maintenance window rejected."))
    return redirect("alerts:alert-list")


@login_required
@require_POST
def silence_cancel(request, pk: int):
    silence = get_object_or_404(selectors.visible_silences(request.user, current_only=False), pk=pk)
    try:
        services.silence_cancel(silence=silence, user=request.user)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("Maintenance window cancelled."))
    return redirect("alerts:alert-list")

