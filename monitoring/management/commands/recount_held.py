"""``manage.py recount_held [--device MN ...]``: count the held values whose code is now mapped."""
from django.core.management.base import BaseCommand, CommandError

from monitoring.models import Device
from monitoring.services.codes import recount_held


class Command(BaseCommand):
    help = "Count as readings the held values of codes that a device mapping or the code table now resolves."

    def add_arguments(self, parser):
        parser.add_argument("--device", action="append", metavar="MN", help="Only this device (repeatable).")

    def handle(self, *args, **options):
        devices = None
        if options["device"]:
            devices = list(Device.objects.filter(mn__in=options["device"]))
            missing = set(options["device"]) - {d.mn for d in devices}
            if missing:
                raise CommandError(f"no device with MN {', '.join(sorted(missing))}")
        result = recount_held(devices=devices)
        self.stdout.write(f"counted {result['counted']} held values ({result['stored']} new readings), "
                          f"{result['left']} still held")
