"""The dashboard's one write: opening a work order for a candidate source found by tracing.

It goes through ``dispatch.services.open_work_order`` (source ``station``), idempotent per station,
pollutant, hour of the jump and enterprise, so a double click opens one order.
"""
import datetime as dt

from dispatch.models import WorkOrder
from dispatch.services import open_work_order
from enterprises.models import Enterprise
from monitoring.models import Station


def open_tracing_order(*, user, station: Station, enterprise: Enterprise, pollutant_code: str, at: dt.datetime,
                       candidate: dict | None) -> WorkOrder:
    """Open (or return the already opened) work order asking the enterprise's handlers to check it as the
    likely source of the station's jump; the candidate's score and factors go into the evidence."""
    title = f"{station.name} {pollutant_code} 浓度突升溯源核查：{enterprise.name}"
    description = (f"监测站点 {station.code} {station.name} 于 {at:%Y-%m-%d %H:%M} 出现 {pollutant_code} 浓度突升，"
                   f"溯源分析认为该企业可能为污染来源，请现场核查。")
    evidence = {"station": station.code, "pollutant": pollutant_code, "at": at.isoformat(), "candidate": candidate}
    source_ref = f"trace:{station.pk}:{pollutant_code}:{at:%Y%m%d%H}:{enterprise.pk}"
    return open_work_order(source=WorkOrder.Source.STATION, title=title, enterprise=enterprise,
                           description=description, evidence=evidence, source_ref=source_ref, opened_by=user)
