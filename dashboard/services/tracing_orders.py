"""The dashboard's one write: opening a work order for a candidate source found by tracing.

It goes through ``dispatch.services.work_order_open`` (source ``station``), idempotent per station,
pollutant, hour of the jump and enterprise, so a double click opens one order.
"""
import datetime as dt

from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from dispatch.models import WorkOrder
from dispatch.services import work_order_open
from enterprises.models import Enterprise, Pollutant
from monitoring.models import Station


def tracing_order_open(*, user, station: Station, enterprise: Enterprise, pollutant_code: str, at: dt.datetime,
                       candidate: dict | None) -> WorkOrder:
    """Open (or return the already opened) work order asking the enterprise's handlers to check it as the
    likely source of the station's jump; the candidate's score and factors go into the evidence."""
    name = Pollutant.objects.filter(code=pollutant_code).values_list("name", flat=True).first() or pollutant_code
    title = _("%(station)s %(pollutant)s jump, source check: %(enterprise)s") % {
        "station": station.name, "pollutant": name, "enterprise": enterprise.name}
    description = _("Station %(code)s %(station)s saw %(pollutant)s jump at %(at)s; source tracing names this "
                    "enterprise as a likely source. Please check on site.") % {
        "code": station.code, "station": station.name, "pollutant": name, "at": f"{localtime(at):%Y-%m-%d %H:%M}"}
    evidence = {"station": station.code, "pollutant": pollutant_code, "at": at.isoformat(), "candidate": candidate}
    source_ref = f"trace:{station.pk}:{pollutant_code}:{at:%Y%m%d%H}:{enterprise.pk}"
    return work_order_open(source=WorkOrder.Source.STATION, title=title, enterprise=enterprise,
                           description=description, evidence=evidence, source_ref=source_ref, opened_by=user)
