"""The exceedance indicators (S01–S12, S15, S16) count the exceedances alerts records on each limit's own
averaging period (``exceedances.recorded`` over ``alerts.Exceedance``), no longer the hourly averages:
their rule, name and source come from ``indicators.csv``; recorded as a new catalogue version."""
from django.db import migrations
from django.utils import timezone

FIELDS = ("name", "rule", "source")


def update(apps, schema_editor):
    from ecocode.reference import indicator_rows
    from ecocode.services.catalogue import snapshot

    Indicator, Band, Version = (apps.get_model("ecocode", n) for n in ("Indicator", "ColourBand", "CatalogueVersion"))
    rows = {r["code"]: r for r in indicator_rows(Indicator)}
    changed = []
    for ind in Indicator.objects.filter(rule="online.exceedances", code__in=rows):
        for f in FIELDS:
            setattr(ind, f, rows[ind.code][f])
        changed.append(ind)
    if not changed:
        return
    Indicator.objects.bulk_update(changed, FIELDS)
    number = (Version.objects.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    Version.objects.create(number=number, created_at=timezone.now(), snapshot=snapshot(Indicator, Band),
                           note="exceedances judged on each limit's own averaging period (alerts.Exceedance)")


class Migration(migrations.Migration):
    dependencies = [("ecocode", "0005_delete_penalty")]
    operations = [migrations.RunPython(update, migrations.RunPython.noop)]
