"""``manage.py evaluate_alerts [--at ISO-TIME]``: run one warning cycle now, or as of a past moment
(catching up after an outage), and print what it did."""
import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from core import clock
from alerts.services.evaluation import evaluate


class Command(BaseCommand):
    help = "Run one warning evaluation cycle for the whole county (as of --at, default now)."

    def add_arguments(self, parser):
        parser.add_argument("--at", help="ISO 8601 time of the cycle, e.g. 2026-03-02T10:05 (naive = local time).")

    def handle(self, *args, **options):
        at = clock.now()
        if options["at"]:
            try:
                at = dt.datetime.fromisoformat(options["at"])
            except ValueError:
                raise CommandError(f"--at {options['at']!r} is not an ISO 8601 time") from None
            if timezone.is_naive(at):
                at = timezone.make_aware(at, timezone.get_default_timezone())
        with clock.frozen(at):
            result = evaluate(at)
        if result.skipped:
            raise CommandError("another evaluation is running; nothing done")
        self.stdout.write(f"{timezone.localtime(at):%Y-%m-%d %H:%M:%S}: {result.opened} opened, {result.updated} "
                          f"going on, {result.resolved} resolved, {result.notified} notifications, "
                          f"{result.escalated} escalated, {result.muted} muted, "
                          f"{result.exceedances} exceedances of completed periods")
