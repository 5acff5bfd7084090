"""Asking data loggers for the history of their data gaps (``DeviceCommand``), and following their answers.

``history_requests_open`` is called by the warning cycle with the outlets it finds missing data: each active
logger of them gets one waiting request from one reporting interval before its last data on (at most ``HJ212_HISTORY_DAYS`` back), at
most one every ``HJ212_HISTORY_EVERY_MINUTES``, for the finest data kind it sends (minute data, else hourly).
The HJ 212 server asks ``commands_due`` for the requests of the loggers connected to it, sends them and
records them sent (``commands_sent``); ingestion records the loggers' replies (``command_replies_record``).
Set-based: one query or bulk statement per call.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from django.conf import settings
from django.db.models import Q

from monitoring import hj212
from monitoring.models import Device, DeviceCommand, DeviceMessage

HISTORY_CN = {"minute": "2051", "hour": "2061"}
_VERSION_BITS = {"2005": 0, "2017": 1, "2025": 2}


def history_requests_open(*, outlet_ids: Iterable[int], now: dt.datetime) -> int:
    """A waiting history request for each active logger of ``outlet_ids`` that has none and was asked
    nothing within ``HJ212_HISTORY_EVERY_MINUTES``; returns how many were made."""
    devices = list(Device.objects.filter(outlet_id__in=set(outlet_ids), is_active=True)
                   .only("pk", "last_seen_at", "reporting_interval_minutes"))
    if not devices:
        return 0
    recent = set(DeviceCommand.objects.filter(
        Q(sent_at__isnull=True) | Q(created_at__gte=now - dt.timedelta(minutes=settings.HJ212_HISTORY_EVERY_MINUTES)),
        device__in=devices).values_list("device_id", flat=True))
    oldest = now - dt.timedelta(days=settings.HJ212_HISTORY_DAYS)
    rows = [DeviceCommand(device=d, reason=DeviceCommand.Reason.MISSING_DATA, created_at=now,
                          cn=HISTORY_CN["minute" if (d.reporting_interval_minutes or 60) <= 10 else "hour"],
                          begin_at=max(_since(d) or oldest, oldest))
            for d in devices if d.pk not in recent]
    DeviceCommand.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def _since(device: Device) -> dt.datetime | None:
    """Where a logger's history is asked from: one reporting interval before its last data was received (the
    last interval's reading may be the one that was lost; a resend is stored once)."""
    if device.last_seen_at is None:
        return None
    return device.last_seen_at - dt.timedelta(minutes=device.reporting_interval_minutes or 60)


def _system_code(device: Device) -> str:
    if device.station_id is not None:
        return "22"
    return "31" if device.outlet.kind == "air" else "32"


def commands_due(*, mns: Sequence[str], now: dt.datetime) -> list[tuple[str, int, str, bytes]]:
    """(MN, command id, QN, frame) of each waiting request of the active loggers ``mns``: the history from
    the request's start until ``now``, local time, a reply asked for."""
    due = []
    local = now.astimezone(hj212.DEFAULT_TZ)
    for command in (DeviceCommand.objects.filter(sent_at__isnull=True, device__mn__in=list(mns),
                                                 device__is_active=True)
                    .select_related("device__outlet").order_by("pk")):
        device = command.device
        qn = f"{local:%Y%m%d%H%M%S}{command.pk % 1000:03d}"
        begin = command.begin_at.astimezone(hj212.DEFAULT_TZ)
        cp = f"BeginTime={begin:%Y%m%d%H%M%S},EndTime={local:%Y%m%d%H%M%S}"
        flag = (_VERSION_BITS.get(device.protocol_version, 1) << 2) | 1
        frame = hj212.build_frame(hj212.data_segment(cn=command.cn, mn=device.mn, qn=qn, st=_system_code(device),
                                                     pw=device.password, flag=flag, cp=cp))
        due.append((device.mn, command.pk, qn, frame))
    return due


def commands_sent(*, sent: Sequence[tuple[int, str]], now: dt.datetime) -> None:
    """Record each (command id, QN) as sent at ``now``, the history asked for until ``now``."""
    for pk, qn in sent:  # a handful per poll: the loggers that just connected
        DeviceCommand.objects.filter(pk=pk, sent_at__isnull=True).update(sent_at=now, end_at=now, qn=qn)


def command_replies_record(messages: Sequence[DeviceMessage], now: dt.datetime) -> int:
    """The loggers' replies (CN 9011 ``QnRtn``, 9012 ``ExeRtn``) to the requests they answer (same device and
    QN); returns how many requests they concerned."""
    replies = [m for m in messages if m.cn in ("9011", "9012") and m.qn]
    if not replies:
        return 0
    commands = {(c.device_id, c.qn): c for c in DeviceCommand.objects.filter(
        device_id__in={m.device_id for m in replies}, qn__in={m.qn for m in replies})}
    touched = set()
    for message in replies:
        command = commands.get((message.device_id, message.qn))
        value = message.params.get("QnRtn" if message.cn == "9011" else "ExeRtn", "")
        if command is None or not value.isdigit():
            continue
        if message.cn == "9011":
            command.qn_rtn = int(value)
            if command.qn_rtn != hj212.QNRTN_READY:
                command.answered_at = now  # refused: nothing will follow
        else:
            command.exe_rtn, command.answered_at = int(value), now
        touched.add(command.pk)
    changed = [c for c in commands.values() if c.pk in touched]
    DeviceCommand.objects.bulk_update(changed, ["qn_rtn", "exe_rtn", "answered_at"])
    return len(changed)
