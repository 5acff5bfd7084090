"""``manage.py seed_demo``: build the demo county (10,250 enterprises by default) with a progress bar."""
import datetime as dt
import time
from contextlib import contextmanager
from functools import partial

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.backends.signals import connection_created
from django.test.utils import override_settings
from tqdm import tqdm

from core.beside import Beside
from core.db import statistics_refresh
from enterprises import demo

_FAST_COMMITS = "seed_demo.fast_commits"


@contextmanager
def _fast_commits():
    """The services commit step by step (thousands of commits); on PostgreSQL the seed's own sessions (its
    own and those of the work it runs beside, ``core.beside``) do not wait for each commit's WAL flush
    (``synchronous_commit = off``: a crash loses at most the last commits of a demo being built, never
    consistency). Other sessions keep the server's setting."""
    if connection.vendor != "postgresql":
        yield
        return

    def relax(sender, connection, **kwargs):
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit TO off")

    connection_created.connect(relax, weak=False, dispatch_uid=_FAST_COMMITS)
    relax(None, connection)
    try:
        yield
    finally:  # inside a transaction (a test's) the SET ends with it
        connection_created.disconnect(dispatch_uid=_FAST_COMMITS)
        if connection.connection is not None and not connection.in_atomic_block:
            with connection.cursor() as cursor:
                cursor.execute("SET synchronous_commit TO DEFAULT")


def _timed(work, county) -> tuple[float, dict | None]:
    began = time.perf_counter()
    counts = work(county)
    return time.perf_counter() - began, counts


class Command(BaseCommand):
    help = "Build a realistic demo county: townships, villages, grids, enterprises, permits, officers."

    def add_arguments(self, parser):
        parser.add_argument("--enterprises", type=int, default=demo.DEFAULT_ENTERPRISES,
                            help="number of enterprises (default %(default)s)")
        parser.add_argument("--seed", type=int, default=2026, help="random seed (same seed, same county)")
        parser.add_argument("--today", type=dt.date.fromisoformat, default=None,
                            help="reference date YYYY-MM-DD for permit and report dates (default: today)")
        parser.add_argument("--reset", action="store_true", help="empty the database first")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args, **options):
        # Under DEBUG every query is formatted and kept in connection.queries; the seed sends some 10^5 of them.
        with override_settings(DEBUG=False), _fast_commits():
            self._seed(**options)

    def _seed(self, *, enterprises, seed, today, reset, no_progress, **options):
        if enterprises < 1:
            raise CommandError("--enterprises must be at least 1")
        if reset:
            demo.reset()
        elif demo.county_exists():
            raise CommandError("The database already holds a county; use --reset to rebuild it.")
        started = time.perf_counter()
        bar = tqdm(total=enterprises, unit="enterprise", desc="seeding", disable=no_progress,
                   file=self.stderr._out if hasattr(self.stderr, "_out") else None)
        last = [0]

        def progress(done):
            bar.update(done - last[0])
            last[0] = done

        county = demo.DemoCounty(enterprises=enterprises, seed=seed, today=today, progress=progress)
        report = county.run()
        bar.close()
        statistics_refresh()
        hooks = demo.after_seed_hooks()
        preparing = {}  # app → Beside
        self._prepare(hooks, None, county, preparing)
        for hook in hooks:
            if hook.app in preparing:
                seconds, counts = preparing.pop(hook.app).result()
                report.counts.update(counts or {})
                self._say(no_progress, f"  {hook.app}, prepared beside: {seconds:.1f} s\n")
            self._say(no_progress, f"  {hook.app}: …")
            began = time.perf_counter()
            report.counts.update(hook.extend(county) or {})
            statistics_refresh()  # the next hooks read what this one wrote
            self._say(no_progress, f"\r  {hook.app}: {time.perf_counter() - began:.1f} s\n")
            self._prepare(hooks, hook.app, county, preparing)
        elapsed = time.perf_counter() - started
        for key, value in report.counts.items():
            self.stdout.write(f"  {key:<24}{value:>10,}")
        self.stdout.write(self.style.SUCCESS(f"Demo county built in {elapsed:.1f} s."))
        self.stdout.write(f"Admin login: {demo.ADMIN_USERNAME} / {demo.ADMIN_PASSWORD}; "
                          f"every demo officer and enterprise account: password {demo.DEMO_PASSWORD}")

    @staticmethod
    def _prepare(hooks, after: str | None, county, preparing: dict) -> None:
        """Start the preparations that wait for ``after``'s hook (None: the enterprises)."""
        for hook in hooks:
            if hook.prepare is not None and hook.prepare_after == after:
                preparing[hook.app] = Beside(partial(_timed, hook.prepare, county))

    def _say(self, quiet: bool, text: str) -> None:
        if not quiet:
            self.stderr.write(text, ending="")
            self.stderr.flush()
