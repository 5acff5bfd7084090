"""Throwaway PostgreSQL and Redis servers for the fault tests, so the machine's shared services are
never touched: each lives in its own temporary folder on a spare port and can be stopped, killed and
started again. PostgreSQL refuses to run as root, so its cluster belongs to the ``postgres`` OS user
(commands run through ``runuser`` when the tests run as root).

``template_cluster`` initdb's and migrates one cluster per test session (slow part, ~20 s); every
test then gets a copy of it (``ThrowawayPostgres.from_template``), which starts in about a second.
"""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg2

ROOT = Path(__file__).resolve().parents[2]
PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
DB_NAME = "enforcement"


def free_port() -> int:
    """A port the OS says is free right now (bound to port 0, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(check, timeout: float, what: str, interval: float = 0.1):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            result = check()
            if result:
                return result
        except Exception as exc:  # noqa: BLE001 (the thing we wait for is not there yet)
            last = exc
        time.sleep(interval)
    raise TimeoutError(f"{what} not ready after {timeout}s (last error: {last})")


def _as_postgres(cmd: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


def _owned_tmpdir(prefix: str) -> Path:
    """A fresh folder in /tmp the postgres user can use (pytest's tmp folders are root-only)."""
    path = Path(tempfile.mkdtemp(prefix=prefix))
    path.chmod(0o700)
    if os.geteuid() == 0:
        shutil.chown(path, "postgres", "postgres")
    return path


class ThrowawayPostgres:
    """A PostgreSQL 15 cluster in ``folder`` listening on 127.0.0.1:``port`` (and a socket in the folder)."""

    def __init__(self, folder: Path, port: int | None = None):
        self.folder = folder
        self.data = folder / "data"
        self.port = port or free_port()
        self.log = folder / "server.log"

    @classmethod
    def fresh(cls) -> "ThrowawayPostgres":
        pg = cls(_owned_tmpdir("enf-pg-"))
        subprocess.run(_as_postgres([str(PG_BIN / "initdb"), "-D", str(pg.data), "--username=postgres",
                                     "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync"]),
                       check=True, capture_output=True)
        return pg

    @classmethod
    def from_template(cls, template: "ThrowawayPostgres") -> "ThrowawayPostgres":
        """A copy of a stopped template cluster (its own folder and port)."""
        pg = cls(_owned_tmpdir("enf-pg-"))
        subprocess.run(_as_postgres(["cp", "-a", str(template.data), str(pg.data)]), check=True)
        return pg

    def url(self, dbname: str = DB_NAME) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{dbname}"

    def _ctl(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run(_as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(self.data), *args]),
                              check=check, capture_output=True, text=True, timeout=60)

    def start(self) -> None:
        options = (f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.folder} "
                   "-c fsync=off -c synchronous_commit=on -c full_page_writes=off -c max_connections=60")
        result = self._ctl("-o", options, "-l", str(self.log), "-w", "-t", "30", "start", check=False)
        if result.returncode != 0:
            raise RuntimeError(f"PostgreSQL did not start: {result.stderr}\n{self.read_log()}")
        wait_for(self.is_ready, 20, "PostgreSQL")

    def stop(self, mode: str = "fast") -> None:
        """``fast`` (clean) or ``immediate`` (like a crash: no checkpoint, recovery on the next start)."""
        self._ctl("-m", mode, "-w", "-t", "30", "stop", check=False)

    def kill(self) -> None:
        """SIGKILL the postmaster and its children (worse than a crash: no clean-up at all)."""
        pid_file = self.data / "postmaster.pid"
        if pid_file.exists():
            pid = int(pid_file.read_text().split()[0])
            subprocess.run(["pkill", "-KILL", "-P", str(pid)], check=False)
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            wait_for(lambda: not self.running(), 10, "PostgreSQL to die")

    def running(self) -> bool:
        return self._ctl("status", check=False).returncode == 0

    def is_ready(self) -> bool:
        psycopg2.connect(host="127.0.0.1", port=self.port, user="postgres", dbname="postgres",
                         connect_timeout=2).close()
        return True

    def createdb(self, name: str = DB_NAME) -> None:
        conn = psycopg2.connect(host="127.0.0.1", port=self.port, user="postgres", dbname="postgres")
        try:
            conn.autocommit = True
            with conn.cursor() as cur:
                cur.execute(f'CREATE DATABASE "{name}"')
        finally:
            conn.close()

    def query(self, sql: str, params=None, dbname: str = DB_NAME) -> list[tuple]:
        conn = psycopg2.connect(host="127.0.0.1", port=self.port, user="postgres", dbname=dbname,
                                connect_timeout=5)
        try:
            with conn.cursor() as cur:
                cur.execute(sql, params)
                return cur.fetchall() if cur.description else []
        finally:
            conn.close()

    def read_log(self) -> str:
        try:
            return subprocess.run(_as_postgres(["tail", "-n", "40", str(self.log)]), capture_output=True,
                                  text=True).stdout
        except OSError:
            return ""

    def destroy(self) -> None:
        if self.running():
            self.stop("immediate")
        if self.running():
            self.kill()
        shutil.rmtree(self.folder, ignore_errors=True)


class ThrowawayRedis:
    """``redis-server`` as a child process on a spare port, no persistence."""

    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.proc: subprocess.Popen | None = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--daemonize", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(self.ping, 10, "Redis")

    def ping(self) -> bool:
        with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")

    def stop(self, sig: int = signal.SIGTERM) -> None:
        """Stop it (SIGTERM) or kill it (``signal.SIGKILL``); without persistence its data is gone."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(timeout=10)
        self.proc = None

    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None


def platform_env(pg: ThrowawayPostgres, redis: ThrowawayRedis, data_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of a platform process (manage.py, celery) talking to the throwaway services."""
    env = {key: value for key, value in os.environ.items()
           if key not in {"DATABASE_URL", "REDIS_URL", "DJANGO_TEST_DB", "PGHOST", "PGPORT", "PGUSER",
                          "NOTIFY_WEBHOOK_URL"}}
    env.update(DATABASE_URL=pg.url(), REDIS_URL=redis.url(), ENFORCEMENT_DATA_DIR=str(data_dir),
               DJANGO_SETTINGS_MODULE="config.settings", PYTHONPATH=str(ROOT), LOG_LEVEL="WARNING",
               DJANGO_EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend")
    env.update(extra)
    return env


def manage(env: dict, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=timeout)
    if result.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return result


def build_template(data_dir: Path) -> ThrowawayPostgres:
    """initdb + ``manage.py migrate`` into a new cluster, then stop it so tests can copy it."""
    pg = ThrowawayPostgres.fresh()
    try:
        pg.start()
        pg.createdb()
        manage(platform_env(pg, ThrowawayRedis(port=1), data_dir), "migrate", "--noinput")
        pg.stop("fast")
    except BaseException:
        pg.destroy()
        raise
    return pg
