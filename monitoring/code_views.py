"""The device-code page: staff see the codes their devices send that no table or mapping resolves,
with how many values are held, and map each to a pollutant; the held values are then counted."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from enterprises.models import Pollutant, Role

from .code_selectors import mappable_devices, unmapped_codes
from .services.codes import map_code, recount_held


def staff_only(user) -> None:
    if user.role == Role.ENTERPRISE:
        raise PermissionDenied


@login_required
def held_codes(request):
    staff_only(request.user)
    return render(request, "monitoring/held_codes.html", {
        "rows": unmapped_codes(request.user),
        "pollutants": Pollutant.objects.exclude(code__endswith="x").order_by("medium", "code"),
    })


@login_required
@require_POST
def held_code_map(request):
    staff_only(request.user)
    device = get_object_or_404(mappable_devices(request.user).select_related("outlet__enterprise"),
                               pk=request.POST.get("device"))
    code = request.POST.get("code", "")
    pollutant = Pollutant.objects.filter(code=request.POST.get("pollutant", "").strip()).first()
    if pollutant is None:
        messages.error(request, _("No pollutant has the code %(code)s.") % {"code": request.POST.get("pollutant", "")})
        return redirect("monitoring:held-codes")
    try:
        map_code(device=device, code=code, pollutant=pollutant, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("monitoring:held-codes")
    result = recount_held(devices=[device])
    messages.success(request, _("Code %(code)s of device %(mn)s now counts as %(name)s; %(n)d held values counted.")
                     % {"code": code, "mn": device.mn, "name": pollutant.name, "n": result["counted"]})
    return redirect("monitoring:held-codes")
