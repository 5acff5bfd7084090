"""Reads of the device-message page: what the devices in a user's reach sent besides readings, in words.

Each message's content is described item by item: a start-up time as a local time, a running status by
its name, a value with its pollutant's name and unit, a reply code by its meaning; what has no known
meaning is shown as sent, so nothing the device said is hidden.
"""
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from enterprises.models import Pollutant

from . import hj212
from .code_selectors import mappable_devices
from .models import DataFlag, DeviceMessage
from .models.messages import COMMAND_LABELS

PAGE_SIZE = 200

# HJ 212-2017 equipment running status (``SBn-RS``).
RUNNING_STATES = {"0": gettext_lazy("stopped"), "1": gettext_lazy("running"), "2": gettext_lazy("calibrating"),
                  "3": gettext_lazy("under maintenance"), "4": gettext_lazy("alarm"),
                  "5": gettext_lazy("back-blowing")}
QN_RETURNS = {"1": gettext_lazy("ready to execute"), "2": gettext_lazy("request refused"),
              "3": gettext_lazy("wrong password"), "4": gettext_lazy("wrong MN"), "5": gettext_lazy("wrong ST"),
              "6": gettext_lazy("wrong Flag"), "7": gettext_lazy("wrong QN"), "8": gettext_lazy("wrong CN"),
              "9": gettext_lazy("wrong CRC"), "100": gettext_lazy("unknown error")}
EXE_RETURNS = {"1": gettext_lazy("executed successfully"), "2": gettext_lazy("execution failed"),
               "3": gettext_lazy("conditions not met"), "4": gettext_lazy("timed out"),
               "5": gettext_lazy("busy"), "6": gettext_lazy("instrument fault"), "100": gettext_lazy("no data to send")}
# In the order they are shown (PostgreSQL's jsonb keeps no key order); other suffixes follow, as sent.
SUFFIXES = {"SampleTime": gettext_lazy("sampled at"), "Rtd": gettext_lazy("real-time value"),
            "Avg": gettext_lazy("mean"), "Min": gettext_lazy("minimum"), "Max": gettext_lazy("maximum"),
            "Cou": gettext_lazy("total"), "Flag": gettext_lazy("data flag"), "RS": gettext_lazy("running status"),
            "RT": gettext_lazy("running time")}


def messages_for(user, *, cn: str = "", mn: str = "") -> QuerySet:
    """The latest messages of the devices in ``user``'s reach, newest first, optionally of one command
    and of the devices whose MN contains ``mn``."""
    rows = DeviceMessage.objects.filter(device__in=mappable_devices(user))
    if cn:
        rows = rows.filter(cn=cn)
    if mn:
        rows = rows.filter(device__mn__icontains=mn)
    return rows.select_related("device__outlet__enterprise", "device__station").order_by("-received_at", "-id")


def command_choices() -> list[tuple[str, str]]:
    return [(cn, f"{label}（CN {cn}）") for cn, label in COMMAND_LABELS.items()]


def _time(text: str) -> str:
    try:
        return timezone.localtime(hj212.parse_time(text)).strftime("%Y-%m-%d %H:%M:%S")
    except hj212.ProtocolError:
        return text


def _param(key: str, value) -> str:
    if key == "RestartTime":
        return _("started at %(time)s") % {"time": _time(value)}
    if key == "SystemTime":
        return _("device clock %(time)s") % {"time": _time(value)}
    if key == "QnRtn":
        return _("reply: %(what)s") % {"what": QN_RETURNS.get(value, value)}
    if key == "ExeRtn":
        return _("result: %(what)s") % {"what": EXE_RETURNS.get(value, value)}
    if key == "unread":
        return _("could not be read: %(tokens)s") % {"tokens": "；".join(value)}
    return f"{key}={value}"


def _subject(code: str, pollutants: dict[str, Pollutant]) -> tuple[str, str]:
    """The name of an item's code and its unit: a pollutant, an instrument (``SB2``) or the code itself."""
    if code in pollutants:
        return pollutants[code].name, pollutants[code].unit
    if code.upper().startswith("SB") and code[2:].isdigit():
        return _("instrument %(n)s") % {"n": code[2:]}, ""
    return code, ""


def _item(code: str, values: dict, pollutants: dict[str, Pollutant]) -> str:
    name, unit = _subject(code, pollutants)
    parts = []
    order = list(SUFFIXES)
    for suffix, value in sorted(values.items(), key=lambda kv: (order.index(kv[0]) if kv[0] in order else len(order),
                                                                  kv[0])):
        label = SUFFIXES.get(suffix, suffix)
        if suffix == "RS":
            value = RUNNING_STATES.get(value, value)
        elif suffix == "RT":
            value = _("%(hours)s h") % {"hours": value}
        elif suffix == "SampleTime":
            value = _time(value)
        elif suffix == "Flag" and value.upper() in DataFlag.values:
            value = DataFlag(value.upper()).label
        elif suffix in hj212.VALUE_SUFFIXES and unit:
            value = f"{value} {unit}"
        parts.append(f"{label} {value}")
    return f"{name}：{'，'.join(parts)}"


def described(messages: list[DeviceMessage]) -> list[tuple[DeviceMessage, list[str]]]:
    """Each message with its content in words (one query for the pollutants the messages name)."""
    codes = {code for m in messages for code in m.items}
    pollutants = {p.code: p for p in Pollutant.objects.filter(code__in=codes)}
    return [(m, [_param(k, v) for k, v in sorted(m.params.items()) if k != "DataTime"]
             + [_item(code, values, pollutants) for code, values in sorted(m.items.items())]) for m in messages]
