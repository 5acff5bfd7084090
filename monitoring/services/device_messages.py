"""The accepted uploads that carry no readings, kept as ``DeviceMessage`` rows (see its module).

``device_message`` builds the row of one packet (None for data, device information, heartbeats and
acknowledgements, which are stored or counted elsewhere); ingestion writes a batch's rows in one bulk
insert that skips a resend already kept. A running status (CN 2021) holds until it changes and some
loggers repeat it every minute, so ``changed_only`` keeps a status only when it differs from the one
before it (the device's latest kept, or the one before it in the batch): one query per batch.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json

from django.db.models import F, Window
from django.db.models.functions import RowNumber

from monitoring import hj212
from monitoring.hj212 import Packet, ProtocolError
from monitoring.models import Device, DeviceMessage

RUNNING_STATUS_CN = "2021"
_NOT_MESSAGES = frozenset({hj212.DEVICE_INFO_CN, hj212.HEARTBEAT_CN}) | hj212.ACK_CNS


def _clean(text: str, size: int) -> str:
    return text.replace("\x00", "")[:size]


def device_message(device: Device, packet: Packet, now: dt.datetime) -> DeviceMessage | None:
    """The message of an accepted ``packet`` of ``device``, or None when the packet is not one.

    Its content is kept as sent: the CP parameters, the items by code and suffix, and the CP tokens a
    lenient parse could not read (``params["unread"]``). A resend is the same row: the digest is that of
    the content, with the QN too when the content has no DataTime (two replies ``QnRtn=1`` to two
    requests are two messages)."""
    if packet.kind is not None or packet.cn in _NOT_MESSAGES:
        return None
    params: dict = {_clean(k, 40): _clean(v, 200) for k, v in packet.params.items()}
    if packet.problems:
        params["unread"] = [_clean(token, 100) for token, _why in packet.problems]
    items = {_clean(code, 32): {_clean(k, 20): _clean(v, 100) for k, v in values.items()}
             for code, values in packet.items.items()}
    try:
        observed_at = hj212.parse_time(packet.params["DataTime"]) if packet.params.get("DataTime") else None
    except ProtocolError:
        observed_at = None  # kept as sent in params; the message is what the device said, not a reading
    content = [packet.cn, params, items] + ([] if "DataTime" in packet.params else [packet.qn or ""])
    digest = hashlib.blake2b(json.dumps(content, sort_keys=True, ensure_ascii=False).encode(), digest_size=16)
    return DeviceMessage(device=device, cn=packet.cn, qn=_clean(packet.qn or "", 24), observed_at=observed_at,
                         params=params, items=items, digest=digest.hexdigest(), received_at=now)


def changed_only(messages: list[DeviceMessage]) -> list[DeviceMessage]:
    """``messages`` without the running statuses (CN 2021) that repeat the status before them; a status
    older than the device's latest kept one (a backfill) is kept as it comes."""
    statuses = [m for m in messages if m.cn == RUNNING_STATUS_CN and m.observed_at is not None]
    if not statuses:
        return messages
    latest = {row.device_id: row for row in DeviceMessage.objects.filter(
        device_id__in={m.device_id for m in statuses}, cn=RUNNING_STATUS_CN, observed_at__isnull=False)
        .annotate(rank=Window(RowNumber(), partition_by=F("device_id"),
                              order_by=[F("observed_at").desc(), F("id").desc()])).filter(rank=1)}
    repeated = set()
    for message in sorted(statuses, key=lambda m: m.observed_at):
        before = latest.get(message.device_id)
        if before is not None and message.observed_at < before.observed_at:
            continue  # a backfill: kept
        if before is not None and before.items == message.items and before.params.get("unread") == \
                message.params.get("unread"):
            repeated.add(id(message))
        else:
            latest[message.device_id] = message
    return [m for m in messages if id(m) not in repeated]
