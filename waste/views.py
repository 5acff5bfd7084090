"""Web pages of waste: the manifest list with filters, a manifest with its route on the map, history,
warnings and each party's signature, drafting, the producer's ledger. Every page reads through
``waste.selectors`` (jurisdiction over the producer, or being the carrier or receiver) and every
signature goes through ``waste.services`` (role checks)."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from enterprises.jurisdiction import can_access_enterprise, visible_enterprises, visible_townships
from enterprises.models import Role

from . import selectors
from .forms import CloseAlertForm, ManifestForm, ReceiveForm, RefuseForm
from .models import ManifestState
from .roles import CARRIER, PRODUCER, RECEIVER, STAFF, parties
from .services import alerts as alert_services
from .services import manifests as services

S = ManifestState


def _manifest_for(user, pk: int):
    return get_object_or_404(selectors.visible_manifests(user), pk=pk)


def _error_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


@login_required
def manifest_list(request):
    user = request.user
    manifests = selectors.filter_manifests(selectors.visible_manifests(user), request.GET)
    return render(request, "waste/manifest_list.html", {
        "manifests": manifests[:300], "total": manifests.count(), "params": request.GET,
        "states": S.choices, "townships": visible_townships(user),
        "alerts": selectors.visible_alerts(user)[:50],
        "can_draft": user.role == Role.ENTERPRISE and user.enterprise_id is not None,
    })


def _actions(manifest, roles: set[str]) -> dict:
    state = manifest.state
    return {
        "sign": PRODUCER in roles and state == S.DRAFTED and manifest.producer_signed_at is None,
        "depart": CARRIER in roles and state == S.DRAFTED and manifest.producer_signed_at is not None,
        "arrive": bool(roles & {CARRIER, RECEIVER}) and state == S.DEPARTED,
        "receive": RECEIVER in roles and state == S.ARRIVED,
        "close": bool(roles & {PRODUCER, STAFF}) and state in (S.RECEIVED, S.REFUSED),
    }


@login_required
def manifest_detail(request, pk: int):
    manifest = _manifest_for(request.user, pk)
    roles = parties(request.user, manifest)
    route = selectors.route(manifest)
    alerts = selectors.visible_alerts(request.user, open_only=False).filter(manifest=manifest)
    producer, receiver = manifest.producer, manifest.receiver
    return render(request, "waste/manifest_detail.html", {
        "m": manifest, "roles": roles, "actions": _actions(manifest, roles),
        "events": manifest.events.select_related("actor"), "alerts": alerts,
        "route": route, "receive_form": ReceiveForm(), "refuse_form": RefuseForm(),
        "close_form": CloseAlertForm() if STAFF in roles else None,
        "map_data": {"segments": route.segments, "gaps": route.gaps, "stops": route.stops,
                     "producer": {"name": producer.name, "lat": producer.latitude, "lon": producer.longitude},
                     "receiver": {"name": receiver.name, "lat": receiver.latitude, "lon": receiver.longitude},
                     "labels": {"gap": _("min without positions"), "stop": _("min standing")}},
    })


@login_required
@require_POST
def manifest_act(request, pk: int, step: str):
    manifest = _manifest_for(request.user, pk)
    user = request.user
    try:
        if step == "sign":
            services.manifest_sign(manifest, user=user)
        elif step == "depart":
            services.manifest_depart(manifest, user=user)
        elif step == "arrive":
            services.manifest_arrive(manifest, user=user)
        elif step == "receive":
            form = ReceiveForm(request.POST)
            if not form.is_valid():
                raise ValidationError(_("Enter the quantity received."))
            services.manifest_receive(manifest, user=user, quantity=form.cleaned_data["quantity"])
        elif step == "refuse":
            form = RefuseForm(request.POST)
            if not form.is_valid():
                raise ValidationError(_("A refusal needs a reason."))
            services.manifest_refuse(manifest, user=user, reason=form.cleaned_data["reason"])
        elif step == "close":
            services.manifest_close(manifest, user=user)
        else:
            raise Http404
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("Signed and recorded."))
    return redirect("waste:manifest-detail", pk=manifest.pk)


@login_required
def manifest_new(request):
    user = request.user
    if user.role != Role.ENTERPRISE or user.enterprise_id is None:
        raise PermissionDenied(_("Only the producing enterprise's accounts draft its manifests."))
    form = ManifestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            manifest = services.manifest_draft(user=user, producer=user.enterprise, **data)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Manifest drafted. Sign it so the carrier can take the load."))
            return redirect("waste:manifest-detail", pk=manifest.pk)
    return render(request, "waste/manifest_form.html", {"form": form})


@login_required
def ledger(request):
    user = request.user
    if user.role == Role.ENTERPRISE:
        enterprise = user.enterprise
        if enterprise is None:
            raise PermissionDenied
    else:
        pk = request.GET.get("enterprise")
        if not str(pk or "").isdigit():
            raise Http404(_("Choose an enterprise."))
        enterprise = get_object_or_404(visible_enterprises(user), pk=int(pk))
    if not can_access_enterprise(user, enterprise):
        raise PermissionDenied
    return render(request, "waste/ledger.html", {"enterprise": enterprise, "rows": selectors.ledger(enterprise)})


def _alert_for(user, pk: int):
    return get_object_or_404(selectors.visible_alerts(user, open_only=False), pk=pk)


@login_required
@require_POST
def alert_acknowledge(request, pk: int):
    alert = _alert_for(request.user, pk)
    try:
        alert_services.waste_alert_acknowledge(alert, user=request.user)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("Warning acknowledged. Re-notifications stop; escalation does not."))
    return redirect("waste:manifest-detail", pk=alert.manifest_id)


@login_required
@require_POST
def alert_close(request, pk: int):
    alert = _alert_for(request.user, pk)
    form = CloseAlertForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("A reason is needed to close a warning."))
        alert_services.waste_alert_close(alert, user=request.user, reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("Warning closed."))
    return redirect("waste:manifest-detail", pk=alert.manifest_id)
