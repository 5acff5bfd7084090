"""The words of warning notifications and escalated work orders, as translatable msgids.

Notifications are written in the county's language (zh-Hans, the default language of the platform);
each text names the enterprise, the outlet, the pollutant by name and the value with its unit.
"""
from datetime import datetime

from django.urls import reverse
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from notifications.services import Message

from .models import Alert, Rule

RULE_TEXT = {
    Rule.EXCEEDANCE: gettext_lazy("over its limit"), Rule.NEAR_LIMIT: gettext_lazy("near its limit"),
    Rule.MISSING_DATA: gettext_lazy("data missing"), Rule.FLAT_LINE: gettext_lazy("constant or zero values"),
    Rule.DEVICE_FLAG: gettext_lazy("device fault or maintenance flag"),
}


def _value(value: float, unit: str) -> str:
    return f"{value:g} {unit}".rstrip()


def describe(alert: Alert) -> str:
    """One line: who, where, what, how much."""
    outlet = alert.outlet
    what = alert.pollutant.name if alert.pollutant_id else ""
    unit = alert.pollutant.unit if alert.pollutant_id else ""
    line = " ".join(p for p in (alert.enterprise.name, outlet.code, outlet.name, what) if p)
    line += " " + str(RULE_TEXT[alert.rule])
    if alert.value is not None and alert.limit_value is not None:
        line += _(": %(value)s (limit %(limit)s)") % {"value": _value(alert.value, unit),
                                                      "limit": _value(alert.limit_value, unit)}
    elif alert.rule == Rule.DEVICE_FLAG:
        line += ": " + ", ".join(sorted(alert.evidence.get("flags", {})))
    elif alert.rule == Rule.MISSING_DATA:
        line += _(": last data %(at)s") % {"at": alert.evidence.get("last_data_at") or _("none")}
    return line


def subject(alert: Alert, kind: str, *, n: int = 1, reason: str = "") -> str:
    """The subject of a notification of ``kind`` (opened, repeat, alarm, resolved, closed)."""
    prefix = {
        "opened": _("[Warning]"), "repeat": _("[Reminder %(n)d]") % {"n": n}, "alarm": _("[Alarm]"),
        "resolved": _("[Resolved]"), "closed": _("[Closed]"),
    }[kind]
    text = f"{prefix}{describe(alert)}"
    return f"{text} ({reason[:60]})" if reason else text


def message(alert: Alert, kind: str, subject_text: str, key: str) -> Message:
    """The notification of ``kind`` to the alert's enterprise; ``key`` makes it exactly-once."""
    return Message(kind=f"alert.{kind}", subject=subject_text, body=describe(alert), enterprise=alert.enterprise,
                   url=reverse("alerts:alert-detail", args=[alert.pk]), source=alert.source_ref,
                   dedup_key=f"{alert.source_ref}:{key}")


def escalation_texts(alert: Alert, now: datetime) -> tuple[str, str]:
    """Title and description of the work order an escalated warning opens."""
    title = _("Alarm: %(what)s") % {"what": describe(alert)}
    minutes = int((now - alert.opened_at).total_seconds() // 60)
    description = _("Warning raised at %(at)s and not back to normal within %(minutes)d minutes: "
                    "escalated to an alarm.") % {"at": f"{localtime(alert.opened_at):%Y-%m-%d %H:%M}",
                                                 "minutes": minutes}
    return title, description
