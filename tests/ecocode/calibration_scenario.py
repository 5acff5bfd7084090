"""One small county scored and its calibration report read, on either dialect
(tests/ecocode/test_calibration_portable.py): a clean enterprise, one whose missing annual report caps it at
yellow (R17 charges, R07 records it as already charged), one with late reports and one without data."""
import datetime as dt

from core import clock
from ecocode.services import calibration, scoring
from tests import factories as f
from tests.ecocode.helpers import missing_annual_report, on_time_report, report

NOW = dt.datetime(2026, 6, 15, 2, 0, tzinfo=dt.UTC)


def run() -> dict:
    with clock.frozen(NOW):
        on_time_report(f.permit(f.enterprise()))
        capped = f.permit(f.enterprise())
        on_time_report(capped)
        missing_annual_report(capped)
        late = f.permit(f.enterprise())
        report(late, "annual", dt.date(2025, 1, 1), dt.date(2026, 1, 15), dt.date(2026, 3, 1))  # 45 days late
        report(late, "quarterly", dt.date(2026, 1, 1), dt.date(2026, 4, 15), dt.date(2026, 4, 20))
        f.permit(f.enterprise())  # no data: grey
        scoring.score_all()
        data = calibration.report()
    return {"distribution": [(d["colour"], d["n"], float(d["share"])) for d in data["distribution"]],
            "indicators": [(i["code"], i["touched"], round(i["points"], 2), i["already"],
                            [(float(s["factor"]), s["better"], s["worse"]) for s in i["sensitivity"]])
                           for i in data["indicators"] if i["touched"] or i["already"]],
            "bands": [(b["colour"], float(b["min_score"]), [(s["shift"], s["better"], s["worse"]) for s in b["shifts"]])
                      for b in data["bands"]]}
