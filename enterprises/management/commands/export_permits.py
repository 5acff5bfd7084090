"""``manage.py export_permits FILE``: the registry in the import template (.xlsx), each enterprise with
its current permit, so it can be edited and imported again."""
from pathlib import Path

from django.core.management.base import BaseCommand
from tqdm import tqdm

from enterprises.models import Enterprise
from enterprises.services.registry_export import export_workbook


class Command(BaseCommand):
    help = "Export the registry (enterprises, permits, outlets, limits, duties) in the import template."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the .xlsx file to write")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args, file, no_progress, **options):
        bar = tqdm(unit="row", desc="exporting", disable=no_progress,
                   file=self.stderr._out if hasattr(self.stderr, "_out") else None)
        data = export_workbook(progress=bar.update)
        bar.close()
        Path(file).write_bytes(data)
        self.stdout.write(self.style.SUCCESS(f"{Enterprise.objects.count():,} enterprises written to {file}."))
