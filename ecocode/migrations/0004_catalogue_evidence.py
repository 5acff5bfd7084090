"""Brings the installed catalogue up to ``indicators.csv``: the weights' sources, which indicators compete
for one fact (and their precedence), per-episode exceedance parameters and the computed data sources;
recorded as a new catalogue version."""
from django.db import migrations
from django.utils import timezone

FIELDS = ("weight_source", "competes", "precedence", "params", "source")


def update(apps, schema_editor):
    from ecocode.reference import indicator_rows
    from ecocode.services.catalogue import snapshot

    Indicator, Band, Version = (apps.get_model("ecocode", n) for n in ("Indicator", "ColourBand", "CatalogueVersion"))
    if not Indicator.objects.exists():
        return
    rows = {r["code"]: r for r in indicator_rows(Indicator)}
    changed = []
    for ind in Indicator.objects.filter(code__in=rows):
        for f in FIELDS:
            setattr(ind, f, rows[ind.code][f])
        changed.append(ind)
    Indicator.objects.bulk_update(changed, FIELDS)
    number = (Version.objects.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    Version.objects.create(number=number, created_at=timezone.now(), snapshot=snapshot(Indicator, Band),
                           note="weights' sources, competing indicators, evidence by record")


class Migration(migrations.Migration):
    dependencies = [("ecocode", "0003_evidence_reviews")]
    operations = [migrations.RunPython(update, migrations.RunPython.noop)]
