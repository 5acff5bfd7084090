"""The operators' records of monitoring equipment (S34 failed comparison tests and calibrations, S35 faults
not repaired in 7 days, over ``enforcement.DeviceCheck``) and the waste transfer manifests (M50 shipments
late, without a complete trajectory or not confirmed, over ``waste.Manifest``) enter the catalogue; S34/S35
compete with the validity indicators S18/S23 for one fact, an outlet's invalid data. Rows from
``indicators.csv``; recorded as a new catalogue version."""
from django.db import migrations
from django.utils import timezone

NEW = ("S34", "S35", "M50")
COMPETING = ("S18", "S23")


def update(apps, schema_editor):
    from ecocode.reference import indicator_rows
    from ecocode.services.catalogue import snapshot

    Indicator, Band, Version = (apps.get_model("ecocode", n) for n in ("Indicator", "ColourBand", "CatalogueVersion"))
    if not Indicator.objects.exists():
        return  # an empty catalogue is loaded whole from the CSV (reference.load)
    rows = {r["code"]: r for r in indicator_rows(Indicator)}
    have = set(Indicator.objects.filter(code__in=NEW).values_list("code", flat=True))
    Indicator.objects.bulk_create([Indicator(**rows[code]) for code in NEW if code not in have])
    changed = list(Indicator.objects.filter(code__in=COMPETING, competes=""))
    for ind in changed:
        ind.competes, ind.precedence = rows[ind.code]["competes"], rows[ind.code]["precedence"]
    Indicator.objects.bulk_update(changed, ["competes", "precedence"])
    number = (Version.objects.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    Version.objects.create(number=number, created_at=timezone.now(), snapshot=snapshot(Indicator, Band),
                           note="operators' device records (S34, S35) and waste manifests (M50) enter the catalogue")


class Migration(migrations.Migration):
    dependencies = [("ecocode", "0006_exceedances_recorded")]
    operations = [migrations.RunPython(update, migrations.RunPython.noop)]
