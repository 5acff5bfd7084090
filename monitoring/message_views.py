"""The device-message page: staff see what their devices sent besides readings (start-ups, running
status, raw and calibration data, replies), newest first, filtered by command and MN."""
from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from .code_views import staff_only
from .message_selectors import PAGE_SIZE, command_choices, described, messages_for


@login_required
def device_messages(request):
    staff_only(request.user)
    cn, mn = request.GET.get("cn", "").strip(), request.GET.get("mn", "").strip()
    rows = list(messages_for(request.user, cn=cn, mn=mn)[:PAGE_SIZE])
    return render(request, "monitoring/device_messages.html", {
        "rows": described(rows), "commands": command_choices(), "cn": cn, "mn": mn, "page_size": PAGE_SIZE,
    })
