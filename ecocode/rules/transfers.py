"""The family over waste transfer manifests (``waste.Manifest``, read by name: ecocode does not import
waste): shipments a producer sent in the window that were not on time, not complete or not confirmed.

* late — arrived later than the planned arrival plus ``grace_minutes``, or still not arrived by then;
* incomplete — a trajectory-missing warning was raised for the shipment;
* unconfirmed — refused by the receiver, or arrived and not confirmed within ``confirm_hours``.

``faults`` chooses among them (unknown names are ignored; none known means all three).
"""
import datetime as dt
import operator
from functools import reduce

from django.apps import apps
from django.db.models import DateTimeField, Exists, ExpressionWrapper, F, OuterRef, Q
from django.utils.translation import gettext_noop as N_

from .base import Family

FAULTS = ("late", "incomplete", "unconfirmed")


def _shipments(ctx, days):
    manifests = apps.get_model("waste.Manifest").objects.filter(departed_at__isnull=False, departed_at__lte=ctx.as_of)
    if days:
        manifests = manifests.filter(departed_at__gte=ctx.since(days))
    missing = apps.get_model("waste.WasteAlert").objects.filter(manifest=OuterRef("pk"), rule="trajectory_missing",
                                                                opened_at__lte=ctx.as_of)
    return manifests.annotate(track_missing=Exists(missing))


transfers = Family("transfers", _shipments, "producer_id", requires=("waste.Manifest", "waste.WasteAlert"),
                   record_type="manifest", record_at="departed_at")


def _fault_q(fault: str, p: dict, ctx) -> Q:
    if fault == "late":
        due = ExpressionWrapper(F("planned_arrival") + dt.timedelta(minutes=p["grace_minutes"]),
                                output_field=DateTimeField())
        return (Q(arrived_at__isnull=False, arrived_at__gt=due)
                | Q(arrived_at__isnull=True, planned_arrival__lt=ctx.as_of - dt.timedelta(minutes=p["grace_minutes"])))
    if fault == "incomplete":
        return Q(track_missing=True)
    return (Q(state="refused") | Q(refusal_reason__gt="")
            | Q(arrived_at__lt=ctx.as_of - dt.timedelta(hours=p["confirm_hours"]), received_at__isnull=True))


@transfers.rule("faults", {"window_days": (int, 90), "faults": (list, list(FAULTS)), "grace_minutes": (int, 60),
                           "confirm_hours": (int, 24)},
                N_("%(n)s waste shipment(s) in the last %(window_days)s days late, without a complete trajectory "
                   "or not confirmed by the receiver"))
def _faults(p, ctx):
    faults = [fault for fault in p["faults"] if fault in FAULTS] or FAULTS
    late_or_worse = reduce(operator.or_, (_fault_q(fault, p, ctx) for fault in faults))
    return transfers.counted(Q(departed_at__gte=ctx.since(p["window_days"])) & late_or_worse)
