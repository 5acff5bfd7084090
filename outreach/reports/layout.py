"""The tables of a report, shared by the PDF and the Excel renderer: each ``Section`` has a title,
column headings with a value kind, and rows of raw values. ``display`` formats a value for the PDF;
the Excel file keeps numbers as numbers with a number format of the same kind."""
import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from ecocode.models import Colour

from .data import CountySummary, EnterpriseReport

TEXT, INT, NUM, PCT, TIME = "text", "int", "num", "pct", "time"


@dataclass
class Column:
    heading: str
    kind: str = TEXT
    width: float = 1.0  # relative width in the PDF


@dataclass
class Section:
    title: str
    columns: list[Column]
    rows: list[list]
    note: str = ""


def display(value, kind: str) -> str:
    if value is None or value == "":
        return "—"
    if kind == PCT:
        return f"{value * 100:.1f}%"
    if kind == NUM:
        return f"{value:,.3f}".rstrip("0").rstrip(".") if abs(value) < 1000 else f"{value:,.1f}"
    if kind == INT:
        return f"{value:,d}"
    if kind == TIME and isinstance(value, dt.datetime):
        return f"{timezone.localtime(value):%Y-%m-%d %H:%M}"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return str(value)


def _limit_text(row) -> str:
    if row.limit is None:
        return ""
    if row.lower_limit is not None:
        return f"{row.lower_limit:g}~{row.limit:g}"
    return f"≤ {row.limit:g}"


def _quantity_text(row, known: bool) -> str:
    if row.permitted_quantity is not None:
        return f"{row.permitted_quantity:,.3f} t"
    if row.is_parameter:
        return ""
    return _("no permitted quantity") if known else _("no permitted quantity in the permit data")


def enterprise_sections(report: EnterpriseReport) -> list[Section]:
    monitoring = Section(
        _("Monitoring summary per outlet and pollutant (hourly data)"),
        [Column(_("Outlet")), Column(_("Pollutant"), width=1.4), Column(_("Unit"), width=.7),
         Column(_("Limit"), width=.9), Column(_("Completeness"), PCT, .9), Column(_("Valid hours"), INT, .8),
         Column(_("Average"), NUM, .9), Column(_("Peak"), NUM, .9), Column(_("Averaging period"), TEXT, .8),
         Column(_("Exceedances"), INT, .8),
         Column(_("Emissions (kg; flow m³)"), NUM, 1.1), Column(_("Permitted quantity for the period"), TEXT, 1.3),
         Column(_("Share of the permitted quantity"), PCT, .9)],
        [[r.outlet_code, r.pollutant_name, r.unit, _limit_text(r), r.completeness, r.valid_hours, r.average, r.peak,
          r.averaging_period, r.exceedances if r.limit is not None else None, r.emission,
          _quantity_text(r, report.permitted_quantity_known), r.emission_share] for r in report.monitoring],
        note=_("Completeness: hours with valid data ÷ %(hours)d hours of the period. Exceedances: completed periods "
               "of the permit's averaging period whose average broke the limit. Emissions: sum of the cumulative emission (Cou) sent by the devices.")
        % {"hours": report.monitoring[0].expected_hours if report.monitoring else 0})
    warnings_summary = Section(
        _("Warnings by rule"),
        [Column(_("Rule"), width=2), Column(_("Warnings"), INT), Column(_("Still open"), INT),
         Column(_("Resolved"), INT), Column(_("Closed by staff"), INT), Column(_("Escalated to alarms"), INT)],
        [[r["rule_label"], r["total"], r["open"], r["resolved"], r["closed"], r["alarms"]]
         for r in report.warnings_by_rule])
    warnings = Section(
        _("Warnings and how they were handled"),
        [Column(_("Opened at"), TIME, 1.2), Column(_("Outlet"), width=.7), Column(_("Pollutant")),
         Column(_("Rule"), width=1.3), Column(_("Worst value"), NUM, .8), Column(_("Limit"), NUM, .7),
         Column(_("State"), width=.8), Column(_("Acknowledged at"), TIME, 1.2), Column(_("Resolved at"), TIME, 1.2),
         Column(_("Handling"), width=1.4)],
        [[w["opened_at"], w["outlet"], w["pollutant"], w["rule"], w["peak"], w["limit"], w["state"],
          w["acknowledged_at"], w["ended_at"], w["handling"]] for w in report.warnings])
    rounds = Section(
        _("Self-checks and on-site checks"),
        [Column(_("Kind"), width=1.2), Column(_("Submitted at"), TIME, 1.2), Column(_("Lines"), INT, .6),
         Column(_("Failed lines"), INT, .7), Column(_("By"), width=1), Column(_("Case number"), width=1)],
        [[r["kind"], r["submitted_at"], r["lines"], r["failed"], r["by"], r["case"]] for r in report.rounds])
    orders = Section(
        _("Work orders"),
        [Column(_("Number"), INT, .5), Column(_("Title"), width=2.5), Column(_("Source"), width=1),
         Column(_("State"), width=.8), Column(_("Opened at"), TIME, 1.1), Column(_("Closed at"), TIME, 1.1),
         Column(_("On time"), width=.6)],
        [[o["id"], o["title"], o["source"], o["state"], o["opened_at"], o["closed_at"], o["on_time"]]
         for o in report.work_orders])
    return [monitoring, warnings_summary, warnings, rounds, orders]


def enterprise_header(report: EnterpriseReport) -> list[tuple[str, str]]:
    ent = report.enterprise
    return [(_("Enterprise"), ent.name), (_("Unified social credit code"), ent.credit_code),
            (_("Township"), ent.township.name), (_("Industry"), str(ent.industry)),
            (_("Discharge permits"), "、".join(report.permit_numbers) or "—"),
            (_("Period"), f"{report.start:%Y-%m-%d} — {report.end:%Y-%m-%d}"),
            (_("Generated at"), f"{report.generated_at:%Y-%m-%d %H:%M}")]


def county_sections(summary: CountySummary) -> list[Section]:
    colours = dict(Colour.choices)
    return [Section(
        _("Enterprises"),
        [Column(_("Enterprise"), width=2.2), Column(_("Township"), width=1), Column(_("Industry"), width=1.4),
         Column(_("Eco-code colour"), width=.6), Column(_("Online completeness"), PCT, .8),
         Column(_("Exceedances"), INT, .8), Column(_("Warnings"), INT, .7),
         Column(_("Exceedance warnings"), INT, .8), Column(_("Open warnings"), INT, .7),
         Column(_("Work orders"), INT, .7), Column(_("Closed late"), INT, .7), Column(_("Self-checks"), INT, .7),
         Column(_("On-site checks"), INT, .7)],
        [[r["name"], r["township"], r["industry"], str(colours.get(r["colour"], "")), r["completeness"],
          r["exceedances"], r["warnings"], r["exceedance_warnings"], r["open_warnings"], r["work_orders"],
          r["work_orders_late"], r["self_checks"], r["on_site"]] for r in summary.rows])]


def county_header(summary: CountySummary, scope: str) -> list[tuple[str, str]]:
    t = summary.totals
    return [(_("Scope"), scope), (_("Period"), f"{summary.start:%Y-%m-%d} — {summary.end:%Y-%m-%d}"),
            (_("Enterprises"), str(t["enterprises"])),
            (_("Online completeness"), display(t["completeness"], PCT)),
            (_("Exceedances"), display(t["exceedances"], INT)), (_("Warnings"), display(t["warnings"], INT)),
            (_("Work orders"), display(t["work_orders"], INT)), (_("On-site checks"), display(t["on_site"], INT)),
            (_("Generated at"), f"{summary.generated_at:%Y-%m-%d %H:%M}")]
