"""The records a deduction rests on, as the viewer sees them: a Chinese name per record type, the link
to open it (the record's own page where the platform has one, else ``ecocode:record``), and the rows a
record page shows (one query per record, jurisdiction checked by its enterprise).

Types: report (execution report), warning, work_order, inspection (a failed checklist line), complaint,
case (penalty decision), permit, outlet, device, self_check, maintenance (window), exceedance (a recorded
violation: one averaging period of a limit, its page showing the hourly averages of that period),
enterprise (its registry entry) and manifest (a waste transfer manifest).
"""
import datetime as dt
from zoneinfo import ZoneInfo

from django.apps import apps
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

LOCAL = ZoneInfo("Asia/Shanghai")

# type → (Chinese name, model label, path from the model to its enterprise)
TYPES = {
    "report": ("执行报告", "enterprises.ExecutionReport", "permit__enterprise"),
    "warning": ("预警", "alerts.Alert", "enterprise"),
    "work_order": ("工单", "dispatch.WorkOrder", "enterprise"),
    "inspection": ("检查记录", "dispatch.LineResult", "round__enterprise"),
    "complaint": ("公众投诉", "dispatch.Complaint", "enterprise"),
    "case": ("行政处罚案件", "enforcement.Case", "enterprise"),
    "permit": ("排污许可证", "enterprises.Permit", "enterprise"),
    "outlet": ("排放口", "enterprises.Outlet", "enterprise"),
    "device": ("监测设备", "monitoring.Device", "outlet__enterprise"),
    "self_check": ("自查通知", "dispatch.SelfCheckNotice", "enterprise"),
    "maintenance": ("维护窗口", "alerts.Silence", "enterprise"),
    "exceedance": ("超标记录", "alerts.Exceedance", "enterprise"),
    "enterprise": ("企业登记信息", "enterprises.Enterprise", ""),
    "manifest": ("固废转移联单", "waste.Manifest", "producer"),
}
NATIVE = {"warning": "alerts:alert-detail", "work_order": "dispatch:order_detail", "manifest": "waste:manifest-detail"}


def label(kind: str) -> str:
    return TYPES.get(kind, (kind,))[0]


def link(kind: str, ident: str) -> str:
    """Where the viewer opens the record."""
    if kind in NATIVE:
        return reverse(NATIVE[kind], args=[int(ident)])
    if kind == "enterprise":
        return reverse("ecocode:detail", args=[int(ident)])
    return reverse("ecocode:record", args=[kind, ident])


def local_date(value) -> str:
    """A record's date as the viewer reads it (local date, or local time to the minute)."""
    if not value:
        return ""
    if len(value) <= 10:
        return value
    at = dt.datetime.fromisoformat(value)
    if timezone.is_naive(at):  # SQLite's JSON gives stored datetimes as naive UTC text
        at = at.replace(tzinfo=dt.UTC)
    return timezone.localtime(at, LOCAL).strftime("%Y-%m-%d %H:%M")


def shown(records: list[dict]) -> list[dict]:
    """Records with their Chinese type, local date and link, for pages and the API."""
    return [dict(r, label=label(r["type"]), date=local_date(r.get("at")), url=link(r["type"], r["id"]))
            for r in records]


def find(kind: str, ident: str):
    """(the record's model instance, its enterprise id) or None."""
    if kind not in TYPES:
        return None
    _, model_label, path = TYPES[kind]
    try:
        model = apps.get_model(model_label)
    except LookupError:
        return None
    pk = ident.split(":", 1)[0]
    if not pk.isdigit():
        return None
    row = model.objects.filter(pk=int(pk)).annotate(**{"owner_id": F(f"{path}__id" if path else "id")}).first()
    return (row, row.owner_id) if row else None


def fields_of(obj) -> list[tuple[str, str]]:
    """(verbose name, display value) of the record's plain fields, in Chinese."""
    out = []
    for f in obj._meta.concrete_fields:
        if f.primary_key or f.name in ("password", "access_token", "contact", "client_uuid", "evidence", "token"):
            continue
        value = getattr(obj, f"get_{f.name}_display")() if f.choices else getattr(obj, f.name)
        if value in (None, ""):
            continue
        if isinstance(value, dt.datetime):
            value = timezone.localtime(value, LOCAL).strftime("%Y-%m-%d %H:%M")
        elif isinstance(value, bool):
            value = "是" if value else "否"
        out.append((str(f.verbose_name), str(value)))
    return out


def period_hours(exceedance) -> list[dict]:
    """The hourly averages of an exceedance's averaging period (one hour, or the 24 of a daily limit)
    against its limit."""
    from monitoring.models import Aggregate

    rows = Aggregate.objects.filter(outlet_id=exceedance.outlet_id, pollutant_id=exceedance.pollutant_id, period="hour",
                                    start__gte=exceedance.start, start__lt=exceedance.end).order_by("start")
    return [{"start": timezone.localtime(a.start, LOCAL), "pollutant": exceedance.pollutant, "avg": a.avg,
             "limit": exceedance.limit_value, "unit": exceedance.unit,
             "over": a.avg is not None and a.avg > exceedance.limit_value} for a in rows]
