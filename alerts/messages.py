"""The words of warning notifications and escalated work orders, as translatable msgids.

Notifications are written in the county's language (zh-Hans, the default language of the platform);
each text names the enterprise, the outlet, the pollutant by name and the value with its unit.
"""
from datetime import datetime

from django.urls import reverse
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from enterprises.models import Role, User
from notifications.services import Message

from .models import Alert, Rule

RULE_TEXT = {
    Rule.EXCEEDANCE: gettext_lazy("over its limit"), Rule.NEAR_LIMIT: gettext_lazy("near its limit"),
    Rule.MISSING_DATA: gettext_lazy("data missing"), Rule.FLAT_LINE: gettext_lazy("constant or zero values"),
    Rule.DEVICE_FLAG: gettext_lazy("device fault or maintenance flag"),
}


PERIOD_TEXT = {"instant": gettext_lazy("instantaneous value"), "half_hour": gettext_lazy("half-hour average"),
               "hour": gettext_lazy("hourly average"), "day": gettext_lazy("daily average")}
FLAG_TEXT = {"F": gettext_lazy("instrument stopped"), "M": gettext_lazy("maintenance"),
             "S": gettext_lazy("manually set value"), "D": gettext_lazy("instrument fault"),
             "C": gettext_lazy("calibration"), "T": gettext_lazy("above measuring range"),
             "B": gettext_lazy("communication fault")}


def _value(value: float, unit: str) -> str:
    return f"{value:.4g} {unit}".rstrip()


def describe(alert: Alert) -> str:
    """One line: who, where, what, how much."""
    outlet = alert.outlet
    what = alert.pollutant.name if alert.pollutant_id else ""
    unit = alert.unit
    line = " ".join(p for p in (alert.enterprise.name, outlet.code, outlet.name, what) if p)
    line += " " + str(RULE_TEXT[alert.rule])
    if alert.value is not None and alert.limit_value is not None:
        period = PERIOD_TEXT.get(alert.evidence.get("averaging_period"))
        line += _(": %(value)s (limit %(limit)s)") % {
            "value": f"{period} {_value(alert.value, unit)}" if period else _value(alert.value, unit),
            "limit": _value(alert.limit_value, unit)}
        if (projected := alert.on_course_for) is not None:
            line += _(", on course for %(value)s by the end of the period") % {"value": _value(projected, unit)}
    elif alert.rule == Rule.DEVICE_FLAG:
        what = [str(FLAG_TEXT.get(flag, flag)) for flag in sorted(alert.evidence.get("flags", {}))]
        line += ": " + "、".join(what + alert.evidence.get("status_text", []))
    elif alert.rule == Rule.MISSING_DATA:
        line += _(": last data %(at)s") % {"at": alert.evidence.get("last_data_at") or _("none")}
    return line


PREFIX = {"opened": gettext_lazy("[Warning]"), "alarm": gettext_lazy("[Alarm]"),
          "resolved": gettext_lazy("[Resolved]"), "closed": gettext_lazy("[Closed]")}


def subject(alert: Alert, kind: str, *, n: int = 1, reason: str = "", text: str | None = None) -> str:
    """The subject of a notification of ``kind`` (opened, repeat, alarm, resolved, closed); ``text``: the
    warning's ``describe``, when already written."""
    prefix = _("[Reminder %(n)d]") % {"n": n} if kind == "repeat" else str(PREFIX[kind])
    line = f"{prefix}{describe(alert) if text is None else text}"
    return f"{line} ({reason[:60]})" if reason else line


def message(alert: Alert, kind: str, key: str, *, n: int = 1, reason: str = "", text: str | None = None) -> Message:
    """The notification of ``kind`` to the alert's enterprise; ``key`` makes it exactly-once. The warning
    is described once, for the subject and the body."""
    text = describe(alert) if text is None else text
    return Message(kind=f"alert.{kind}", subject=subject(alert, kind, n=n, reason=reason, text=text), body=text,
                   enterprise=alert.enterprise, url=reverse("alerts:alert-detail", args=[alert.pk]),
                   source=alert.source_ref, dedup_key=f"{alert.source_ref}:{key}")


def escalation_texts(alert: Alert, now: datetime) -> tuple[str, str]:
    """Title and description of the work order an escalated warning opens."""
    title = _("Alarm: %(what)s") % {"what": describe(alert)}
    minutes = int((now - alert.opened_at).total_seconds() // 60)
    description = _("Warning raised at %(at)s and not back to normal within %(minutes)d minutes: "
                    "escalated to an alarm.") % {"at": f"{localtime(alert.opened_at):%Y-%m-%d %H:%M}",
                                                 "minutes": minutes}
    return title, description


def township_officers(township_ids) -> dict[int, list[User]]:
    """The active township officers of each township, in one query."""
    officers: dict[int, list[User]] = {}
    for officer in User.objects.filter(role=Role.TOWNSHIP, township_id__in=set(township_ids), is_active=True):
        officers.setdefault(officer.township_id, []).append(officer)
    return officers


def officer_messages(alert: Alert, officers: list[User] | None = None, text: str | None = None) -> list[Message]:
    """The alarm to each township officer in charge of the alert's enterprise (``officers``: already read;
    ``text``: the warning's ``describe``, when already written)."""
    if officers is None:
        officers = township_officers([alert.enterprise.township_id]).get(alert.enterprise.township_id, [])
    if not officers:
        return []
    text = describe(alert) if text is None else text
    title, url = subject(alert, "alarm", text=text), reverse("alerts:alert-detail", args=[alert.pk])
    return [Message(kind="alert.alarm", subject=title, body=text, user=officer, url=url, source=alert.source_ref,
                    dedup_key=f"{alert.source_ref}:alarm:u{officer.pk}") for officer in officers]
