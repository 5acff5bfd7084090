"""The settings page of my channels (every signed-in user, only their own), on the same service as the API."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from .selectors import preference_of
from .services import PreferenceError, preference_update

CHOICES = ("email", "sms", "wecom", "dingtalk")
KEYS = ("wecom_key", "dingtalk_token", "dingtalk_secret")


@login_required
def preferences(request):
    pref = preference_of(request.user)
    enterprise = getattr(request.user, "enterprise", None)
    context = {"pref": pref, "email": request.user.email or (enterprise.contact_email if enterprise else ""),
               "phone": request.user.phone or (enterprise.contact_phone if enterprise else "")}
    if request.method == "POST":
        fields = {name: request.POST.get(name) == "on" for name in CHOICES}
        fields |= {name: request.POST.get(name, "") for name in KEYS}
        if not fields["dingtalk_secret"] and not request.POST.get("clear_secret"):
            fields["dingtalk_secret"] = pref.dingtalk_secret  # a blank secret field keeps the saved one
        try:
            preference_update(user=request.user, **fields)
        except PreferenceError as exc:
            context["error"] = str(exc)
            context["pref"] = type(pref)(user=request.user, **fields)
            return render(request, "notifications/preferences.html", context, status=400)
        messages.success(request, _("Your notification channels were saved."))
        return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", context)
