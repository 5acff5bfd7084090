"""Fixtures of the reliability tests: throwaway PostgreSQL/Redis (see services.py), platform processes
pointed at them, and a local webhook gateway that records what it receives."""
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from . import services


@pytest.fixture(scope="session")
def template_cluster():
    """One initdb'ed and migrated cluster per session; tests run on copies of it."""
    data_dir = Path(tempfile.mkdtemp(prefix="enf-template-data-"))
    pg = services.build_template(data_dir)
    yield pg
    pg.destroy()
    subprocess.run(["rm", "-rf", str(data_dir)], check=False)


@pytest.fixture
def pg(template_cluster):
    server = services.ThrowawayPostgres.from_template(template_cluster)
    try:
        server.start()
        yield server
    finally:
        server.destroy()


@pytest.fixture
def redis():
    server = services.ThrowawayRedis()
    try:
        server.start()
        yield server
    finally:
        server.stop(signal.SIGKILL)


class Platform:
    """Run platform processes (manage.py, scenario steps, Celery workers) against the throwaway services."""

    def __init__(self, pg, redis, root: Path, **env):
        self.pg, self.redis, self.root = pg, redis, root
        self.data_dir = root / "var"
        self.data_dir.mkdir()
        self.env = services.platform_env(pg, redis, self.data_dir, **env)
        self.procs: list[subprocess.Popen] = []

    def step(self, *args: str, timeout: float = 120) -> dict:
        result = subprocess.run([sys.executable, "-m", "tests.reliability.scenario", *args], cwd=services.ROOT,
                                env=self.env, capture_output=True, text=True, timeout=timeout)
        if result.returncode != 0:
            raise AssertionError(f"scenario {args} failed:\n{result.stdout[-2000:]}\n{result.stderr[-4000:]}")
        return json.loads(result.stdout.strip().splitlines()[-1])

    def spawn(self, args: list[str], log_name: str) -> subprocess.Popen:
        log = (self.root / log_name).open("a")
        proc = subprocess.Popen(args, cwd=services.ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)
        self.procs.append(proc)
        return proc

    def worker(self, name: str, pool: str = "solo") -> subprocess.Popen:
        args = [str(Path(sys.executable).with_name("celery")), "-A", "config", "worker", "--pool", pool,
                "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "info", "-n", f"{name}@%h"]
        if pool == "prefork":
            args += ["--concurrency", "1"]
        return self.spawn(args, f"{name}.log")

    def log(self, name: str) -> str:
        path = self.root / name
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""

    @staticmethod
    def kill(proc: subprocess.Popen, sig: int = signal.SIGKILL) -> None:
        """Signal the process group of ``proc`` (a worker and its pool children) and reap it."""
        if proc.poll() is None:
            try:
                os.killpg(proc.pid, sig)
            except ProcessLookupError:
                pass
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()

    def close(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                self.kill(proc, signal.SIGTERM)


@pytest.fixture
def gateway():
    """An SMS/WeChat-style webhook gateway on 127.0.0.1: records every POST (headers and JSON body).
    With ``stall_next`` set, the next request is taken (recorded) but not answered until ``release``
    is set: the sender is then in the middle of a delivery."""
    received: list[dict] = []
    arrived, release = threading.Event(), threading.Event()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (http.server's naming)
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            received.append({"headers": dict(self.headers), "body": body})
            if server.stall_next:
                server.stall_next = False
                arrived.set()
                release.wait(30)
            try:
                self.send_response(200)
                self.end_headers()
            except OSError:  # the sender died while we stalled
                pass

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.received = received
    server.stall_next, server.arrived, server.release = False, arrived, release
    server.url = f"http://127.0.0.1:{server.server_address[1]}/notify"
    yield server
    release.set()
    server.shutdown()
    server.server_close()


@pytest.fixture
def platform(pg, redis, gateway, tmp_path):
    plat = Platform(pg, redis, tmp_path, NOTIFY_WEBHOOK_URL=gateway.url, CELERY_VISIBILITY_TIMEOUT="4")
    try:
        yield plat
    finally:
        plat.close()
        for proc in plat.procs:
            if proc.returncode not in (0, None, -signal.SIGTERM, -signal.SIGKILL):
                print(f"process {proc.args[:4]} exited with {proc.returncode}")
