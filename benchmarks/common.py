"""Helpers shared by the benchmarks: Django setup against a throwaway PostgreSQL database, timing, tables."""
import os
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def use_database(name: str) -> str:
    """Point Django at a fresh PostgreSQL database ``name`` (dropped and created), migrate it, set up Django."""
    host = os.environ.get("PGHOST", "127.0.0.1")
    subprocess.run(["dropdb", "-h", host, "-U", "postgres", "--if-exists", "--force", name], check=True)
    subprocess.run(["createdb", "-h", host, "-U", "postgres", name], check=True)
    return keep_database(name)


def keep_database(name: str) -> str:
    """Point Django at the existing PostgreSQL database ``name`` (e.g. a copy of a seeded county), migrate
    it to the current code, set up Django."""
    url = f"postgres://postgres@{os.environ.get('PGHOST', '127.0.0.1')}:5432/{name}"
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    # Benchmarks log in as seeded accounts: no forced first password change (docs/security.md).
    os.environ.setdefault("DEMO_FORCE_PASSWORD_CHANGE", "0")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return url


@contextmanager
def timer(result: dict, key: str):
    started = time.perf_counter()
    yield
    result[key] = time.perf_counter() - started


def print_table(title: str, rows: list[tuple],
                headers: tuple = ("measure", "platform", "baseline")) -> None:
    """Rows of (measure, this platform, baseline), or of the columns ``headers`` names."""
    widths = [max(len(str(r[i])) for r in rows + [headers]) for i in range(len(headers))]
    print(f"\n{title}")
    line = "  ".join("-" * w for w in widths)
    print(line)
    for row in [headers] + rows:
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths)))
    print(line)
