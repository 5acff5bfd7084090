"""Reads of the registry for other apps: an enterprise's current permit and its annual permitted
emission quantities per pollutant (the eco-code compares actual emissions against them)."""
from decimal import Decimal

from django.db.models import Case, F, IntegerField, OuterRef, QuerySet, Subquery, Sum, Value, When

from .models import Permit, PermitLimit


def in_force_first(queryset: QuerySet) -> QuerySet:
    """Permits ordered so the one in force comes first: valid ones, then the latest issued."""
    return queryset.annotate(
        in_force=Case(When(status=Permit.Status.VALID, then=Value(0)), default=Value(1),
                      output_field=IntegerField())).order_by("in_force", "-issued_on", "-pk")


def current_permit(enterprise) -> Permit | None:
    """The enterprise's permit in force (or its latest one); earlier versions stay in ``permits``."""
    return in_force_first(Permit.objects.filter(enterprise=enterprise)).first()


def annual_quantities(permit: Permit) -> list[dict]:
    """The permit's annual permitted quantities per pollutant (t/a), summed over its outlets."""
    rows = (PermitLimit.objects.filter(outlet__permit=permit, annual_quantity__isnull=False)
            .values("pollutant__code", "pollutant__name").annotate(tonnes=Sum("annual_quantity"))
            .order_by("pollutant__code"))
    return [{"code": r["pollutant__code"], "name": r["pollutant__name"], "tonnes": r["tonnes"]} for r in rows]


def permitted_annual_quantities(enterprise_ids=None) -> dict[int, dict[str, Decimal]]:
    """{enterprise id: {pollutant code: t/a}} from each enterprise's current permit: one aggregate query."""
    current = in_force_first(Permit.objects.filter(enterprise=OuterRef("outlet__enterprise_id"))).values("pk")[:1]
    qs = PermitLimit.objects.filter(annual_quantity__isnull=False).annotate(current=Subquery(current)) \
        .filter(outlet__permit_id=F("current"))
    if enterprise_ids is not None:
        qs = qs.filter(outlet__enterprise_id__in=enterprise_ids)
    out: dict[int, dict[str, Decimal]] = {}
    for row in (qs.values("outlet__enterprise_id", "pollutant__code").annotate(tonnes=Sum("annual_quantity"))
                .order_by()):
        out.setdefault(row["outlet__enterprise_id"], {})[row["pollutant__code"]] = row["tonnes"]
    return out
