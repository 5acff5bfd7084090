"""``manage.py import_permits FILE [FILE ...] [--commit]``: the registry import for the first load of a
whole county. Without ``--commit`` it is the dry run (counts and every refused row); with it, the files
are checked again and written in one transaction, or not at all when a row is refused."""
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from enterprises.services import registry_import
from enterprises.services.registry_import import TABLE_LABELS, ImportRefused

PROBLEMS_SHOWN = 200


class Command(BaseCommand):
    help = "Import enterprises, permits, outlets, limits and self-monitoring duties from the permit platform's tables."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", help=".xlsx workbook or .csv files (one table each)")
        parser.add_argument("--commit", action="store_true", help="write the import (default: dry run only)")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def _bar(self, desc: str, total: int, disabled: bool):
        return tqdm(total=total, unit="row", desc=desc, disable=disabled,
                    file=self.stderr._out if hasattr(self.stderr, "_out") else None)

    def _report(self, summary: dict) -> None:
        for table, counts in summary["counts"].items():
            line = "  ".join(f"{registry_import.ACTION_LABELS[a]} {n:,}" for a, n in counts.items())
            self.stdout.write(f"  {str(TABLE_LABELS[table]):<12}{line}")
        for p in summary["problems"][:PROBLEMS_SHOWN]:
            row = f"第 {p['row']} 行" if p["row"] else ""
            self.stdout.write(f"  ✗ {p['sheet']} {row} {p['column']} 「{p['value']}」: {p['reason']}")
        if len(summary["problems"]) > PROBLEMS_SHOWN:
            self.stdout.write(f"  … {len(summary['problems']) - PROBLEMS_SHOWN:,} more refused rows")

    def handle(self, *args, files, commit, no_progress, **options):
        contents = []
        for name in files:
            path = Path(name)
            if not path.is_file():
                raise CommandError(f"No such file: {name}")
            contents.append((path.name, path.read_bytes()))
        bar = self._bar("checking", 0, no_progress)
        record = registry_import.registry_import_check(files=contents, progress=bar.update)
        bar.close()
        summary = record.summary
        self._report(summary)
        if summary["problems"]:
            raise CommandError(f"{len(summary['problems']):,} refused rows; nothing written (import #{record.pk}).")
        if not commit:
            self.stdout.write(self.style.WARNING(
                f"Dry run: {summary['writes']:,} rows would be written. Run again with --commit to import."))
            return
        bar = self._bar("importing", summary["rows"] + summary["writes"], no_progress)
        try:
            record = registry_import.registry_import_commit(registry_import=record, progress=bar.update)
        except ImportRefused as refused:
            self._report(record.summary)
            raise CommandError(record.summary.get("error")
                               or f"{len(refused.plan.problems):,} refused rows; nothing written.") from None
        finally:
            bar.close()
        self.stdout.write(self.style.SUCCESS(f"Imported: {record.summary['writes']:,} rows written "
                                             f"(import #{record.pk})."))
