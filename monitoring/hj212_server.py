"""The HJ 212 TCP server: many devices at once on one asyncio loop, database writes in writer threads.

Each connection has its own ``FrameReader``, so a slow, silent or broken client only ever holds its own
connection, and the server stays fair under abuse: connections are capped in total and per address; a
connection is closed when it makes no progress (no complete frame) for ``read_timeout``, when a frame
started is not complete within ``frame_timeout`` (a trickle of bytes does not keep it open), after
``max_bad_frames`` refusals in a row or ``max_garbage_bytes`` of bytes that are not frames. What cannot be
framed never reaches the database one fragment at a time: it is counted per connection and reason and
logged as one summary row per reason when the connection closes. Complete frames go to ``BatchWriter``,
which group-commits whatever has queued up from all connections in one ``ingest_frames`` call (one
transaction, set-based SQL), off the event loop. A connection gets its acknowledgements (CN 9014, or
9011 with QnRtn for a refused packet that asked for a reply) only after its packets are committed.
When the writer is busy (a batch gathering the packets of ``HJ212_DEFER_AGGREGATES_FROM`` connections or
more; not one connection's long upload) the batch leaves its windows to the aggregate backlog, which a
thread of the writer folds every ``HJ212_AGGREGATE_FOLD_SECONDS`` and when the server stops
(``monitoring.services.aggregate_backlog``).
If the database is down the batch is retried with a fresh connection; packets that still cannot be
stored are not acknowledged, so the devices resend them (and they are stored once). Every
``command_poll`` seconds the server sends the loggers connected to it what the platform asks them (the
history of a data gap, ``monitoring.services.commands``); their answers come back as uploads.
"""
from __future__ import annotations

import asyncio
import logging
import queue
import threading
import time
from collections import Counter
from dataclasses import dataclass

from django.conf import settings
from django.db import (
    InterfaceError,
    OperationalError,
    close_old_connections,
    connection,
)

from core import clock
from core.db import is_postgres
from monitoring import hj212
from monitoring.services.aggregate_backlog import backlog_fold
from monitoring.services.commands import commands_due, commands_sent
from monitoring.services.ingest import Outcome, ingest_frames
from monitoring.services.rejections import ConnectionLog, rejection_summaries_record

log = logging.getLogger("monitoring.hj212_server")


@dataclass
class Job:
    items: list
    source: str
    loop: asyncio.AbstractEventLoop
    future: asyncio.Future


class BatchWriter:
    """Threads that store queued frames in batches (up to ``max_items`` frames per transaction). With
    ``threads`` > 1 one batch is parsed while another waits on the database; a lock conflict between two
    batches (deadlock) is retried like a lost connection, and ON CONFLICT keeps the retry exactly-once.
    A batch gathering the packets of ``defer_from`` connections or more (jobs) defers its aggregates (0:
    never); one more thread folds the backlog every ``fold_every`` seconds after a deferred batch, and once
    more at ``stop``."""

    def __init__(self, max_items: int = 2000, linger: float = 0.0, retries: int = 3, retry_delay: float = 1.0,
                 threads: int = 2, defer_from: int | None = None, fold_every: float | None = None):
        self.max_items = max_items
        self.linger = linger
        self.retries = retries
        self.retry_delay = retry_delay
        self.queue: queue.Queue[Job | None] = queue.Queue()
        self.threads = [threading.Thread(target=self._run, name=f"hj212-writer-{n}", daemon=True)
                        for n in range(threads)]
        self._count_lock = threading.Lock()
        self._local = threading.local()
        self.check_every = 30.0
        self.batches = 0
        self.frames = 0
        self.defer_from = settings.HJ212_DEFER_AGGREGATES_FROM if defer_from is None else defer_from
        self.fold_every = settings.HJ212_AGGREGATE_FOLD_SECONDS if fold_every is None else fold_every
        self.deferred_batches = 0
        self.folded = 0  # readings this writer's folds counted into their windows
        self._to_fold = threading.Event()  # a batch was deferred since the last fold
        self._stopped = threading.Event()
        self._folder = threading.Thread(target=self._fold_loop, name="hj212-aggregates", daemon=True)

    def start(self) -> None:
        for thread in self.threads:
            thread.start()
        self._folder.start()

    def stop(self) -> None:
        for _ in self.threads:
            self.queue.put(None)
        for thread in self.threads:
            thread.join()
        self._stopped.set()
        self._folder.join()

    def submit(self, items: list, source: str) -> asyncio.Future:
        loop = asyncio.get_running_loop()
        job = Job(items, source, loop, loop.create_future())
        self.queue.put(job)
        return job.future

    def _collect(self, first: Job) -> tuple[list[Job], bool]:
        jobs, count, stop = [first], len(first.items), False
        deadline = time.monotonic() + self.linger
        while count < self.max_items:
            try:
                remaining = deadline - time.monotonic()
                job = self.queue.get(timeout=remaining) if remaining > 0 else self.queue.get_nowait()
            except queue.Empty:
                break
            if job is None:
                stop = True
                break
            jobs.append(job)
            count += len(job.items)
        return jobs, stop

    def _run(self) -> None:
        try:
            while True:
                first = self.queue.get()
                if first is None:
                    break
                jobs, stop = self._collect(first)
                self._flush(jobs)
                if stop:
                    break
        finally:
            connection.close()

    def _flush(self, jobs: list[Job]) -> None:
        items = [item for job in jobs for item in job.items]
        sources = [job.source for job in jobs for _ in job.items]
        defer = 0 < self.defer_from <= len(jobs) and is_postgres()
        for attempt in range(self.retries + 1):
            try:
                self._check_connection()
                outcomes = ingest_frames(items, source=sources, defer_aggregates=defer)
                break
            except (OperationalError, InterfaceError) as exc:
                log.warning("database unavailable (attempt %d): %s", attempt + 1, exc)
                connection.close()
                if attempt == self.retries:
                    return self._fail(jobs, exc)
                time.sleep(self.retry_delay * (attempt + 1))
            except Exception as exc:  # noqa: BLE001 (not a connection problem: do not retry the same batch,
                # and never let it end this thread: its queued jobs would wait forever, unacknowledged)
                log.exception("batch of %d frames could not be stored", len(items))
                connection.close()
                return self._fail(jobs, exc)
        with self._count_lock:
            self.batches += 1
            self.frames += len(items)
            self.deferred_batches += defer
        if defer:
            self._to_fold.set()
        at = 0
        for job in jobs:
            result = outcomes[at:at + len(job.items)]
            at += len(job.items)
            job.loop.call_soon_threadsafe(_resolve, job.future, result)

    def _fold_loop(self) -> None:
        """Fold the backlog ``fold_every`` seconds after a deferred batch (skipped while another process
        folds: it takes these rows too, or the next turn does), and at stop, waiting for any other fold, so
        what this server deferred is counted before it exits."""
        try:
            while not self._stopped.wait(self.fold_every):
                if self._to_fold.is_set():
                    self._fold(wait=False)
            if self._to_fold.is_set():
                self._fold(wait=True)
        finally:
            connection.close()

    def _fold(self, *, wait: bool) -> None:
        self._to_fold.clear()
        try:
            close_old_connections()
            folded = backlog_fold(wait=wait)
        except Exception:  # noqa: BLE001 (the rows stay in the backlog: the next turn, or beat, folds them)
            log.exception("the aggregate backlog could not be folded")
            connection.close()
            folded = None
        if folded is None:
            self._to_fold.set()
        else:
            self.folded += folded

    def _check_connection(self) -> None:
        """Drop this thread's connection if it is broken or past its age, every ``check_every`` seconds:
        a check before every batch (a round trip when health checks are on) was 3% of the server's time,
        and a connection lost in between fails the batch, which is retried on a new one."""
        now = time.monotonic()
        if now >= getattr(self._local, "check_at", 0.0):
            close_old_connections()
            self._local.check_at = now + self.check_every

    @staticmethod
    def _fail(jobs: list[Job], exc: Exception) -> None:
        for job in jobs:
            job.loop.call_soon_threadsafe(_reject, job.future, exc)


def _resolve(future: asyncio.Future, result) -> None:
    if not future.done():
        future.set_result(result)


def _reject(future: asyncio.Future, exc: Exception) -> None:
    if not future.done():
        future.set_exception(exc)


class Server:
    """``await Server(...).serve()`` listens until ``stop()``; ``started`` is set once it listens."""

    def __init__(self, host: str = "0.0.0.0", port: int = 9212, *, read_timeout: float = 300.0,
                 write_timeout: float = 30.0, max_length: int = hj212.MAX_DATA_LENGTH, max_bad_frames: int = 20,
                 frame_timeout: float | None = None, max_garbage_bytes: int | None = None,
                 max_connections: int | None = None, max_per_address: int | None = None,
                 writer: BatchWriter | None = None, reuse_port: bool = False, command_poll: float | None = None):
        self.host, self.port = host, port
        self.reuse_port = reuse_port  # SO_REUSEPORT: several server processes share one port (docs/scaling.md)
        self.read_timeout = read_timeout
        self.write_timeout = write_timeout
        self.max_length = max_length
        self.max_bad_frames = max_bad_frames
        self.frame_timeout = settings.HJ212_FRAME_TIMEOUT if frame_timeout is None else frame_timeout
        self.max_garbage_bytes = settings.HJ212_MAX_GARBAGE_BYTES if max_garbage_bytes is None else max_garbage_bytes
        self.max_connections = settings.HJ212_MAX_CONNECTIONS if max_connections is None else max_connections
        self.max_per_address = (settings.HJ212_MAX_CONNECTIONS_PER_ADDRESS if max_per_address is None
                                else max_per_address)
        self.writer = writer or BatchWriter()
        self.started = threading.Event()
        self.connections = 0
        self.by_address: Counter[str] = Counter()
        self.refused_connections = 0
        self._server: asyncio.base_events.Server | None = None
        self._stopping: asyncio.Event | None = None
        self._handlers: dict[asyncio.Task, bool] = {}  # each open connection's task: busy storing or replying
        self._by_mn: dict[str, asyncio.StreamWriter] = {}  # the connection of each MN that sent an accepted packet
        self.command_poll = settings.HJ212_COMMAND_POLL_SECONDS if command_poll is None else command_poll
        self.commands_sent = 0

    async def serve(self) -> None:
        self._stopping = asyncio.Event()
        self.writer.start()
        self._server = await asyncio.start_server(self._handle, self.host, self.port, limit=2 ** 16,
                                                  backlog=1024, reuse_port=self.reuse_port or None)
        self.port = self._server.sockets[0].getsockname()[1]
        log.info("HJ 212 server listening on %s:%s", self.host, self.port)
        self.started.set()
        commands = asyncio.create_task(self._send_commands())
        try:
            await self._stopping.wait()
        finally:
            commands.cancel()
            await asyncio.gather(commands, return_exceptions=True)
            self._server.close()
            await self._server.wait_closed()
            await self._drain()
            await asyncio.to_thread(self.writer.stop)

    async def _drain(self) -> None:
        """Close the open connections before the writer stops (Python 3.11's ``wait_closed`` does not wait
        for them): an idle one at once, one whose packets are being stored once they are stored and
        acknowledged (within ``write_timeout``), so every connection is released and its rejections logged."""
        for task, busy in list(self._handlers.items()):
            if not busy:
                task.cancel()
        pending = list(self._handlers)
        if pending:
            _, late = await asyncio.wait(pending, timeout=self.write_timeout)
            for task in late:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)

    async def _send_commands(self) -> None:
        """Every ``command_poll`` seconds, send the connected loggers what the platform asks them (the history
        of their data gaps, ``monitoring.services.commands``) and record it sent."""
        while True:
            await asyncio.sleep(self.command_poll)
            if not self._by_mn:
                continue
            try:
                due = await asyncio.to_thread(self._in_thread, commands_due, mns=list(self._by_mn), now=clock.now())
                sent = []
                for mn, pk, qn, frame in due:
                    writer = self._by_mn.get(mn)
                    if writer is not None and not writer.is_closing():
                        writer.write(frame)
                        sent.append((pk, qn))
                if sent:
                    await asyncio.to_thread(self._in_thread, commands_sent, sent=sent, now=clock.now())
                    self.commands_sent += len(sent)
            except Exception:  # noqa: BLE001 (the next poll tries again; the server stays up)
                log.exception("could not send the waiting device commands")

    @staticmethod
    def _in_thread(function, **kwargs):
        close_old_connections()
        try:
            return function(**kwargs)
        finally:
            connection.close()

    def stop(self, loop: asyncio.AbstractEventLoop) -> None:
        """Thread-safe request to stop serving."""
        loop.call_soon_threadsafe(lambda: self._stopping and self._stopping.set())

    def _admit(self, address: str) -> bool:
        if self.connections >= self.max_connections or self.by_address[address] >= self.max_per_address:
            self.refused_connections += 1
            if self.refused_connections % 1000 == 1:
                log.warning("%s: refused a connection (%d open, %d from this address; %d refused so far)",
                            address, self.connections, self.by_address[address], self.refused_connections)
            return False
        self.connections += 1
        self.by_address[address] += 1
        return True

    def _release(self, address: str) -> None:
        self.connections -= 1
        self.by_address[address] -= 1
        if not self.by_address[address]:
            del self.by_address[address]

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        peer = writer.get_extra_info("peername")
        address = peer[0] if peer else "?"
        source = f"{peer[0]}:{peer[1]}" if peer else "?"
        if not self._admit(address):
            writer.close()
            return
        task = asyncio.current_task()
        self._handlers[task] = False
        framer = hj212.FrameReader(self.max_length)
        rejected = ConnectionLog(source)
        bad_in_a_row = 0
        loop = asyncio.get_running_loop()
        progress_at = loop.time()  # the last complete frame (or the connection's start)
        partial_since: float | None = None  # when the frame now in the buffer began
        try:
            while True:
                now = loop.time()
                deadline = progress_at + self.read_timeout
                if partial_since is not None:
                    deadline = min(deadline, partial_since + self.frame_timeout)
                try:  # asyncio.timeout, not wait_for: no task made for every read
                    async with asyncio.timeout(max(0.0, deadline - now)):
                        chunk = await reader.read(65536)
                except TimeoutError:
                    log.info("%s: no complete frame in time, closing", source)
                    chunk = b""
                if not chunk:
                    self._keep_leftover(framer, rejected)  # half a frame when the client hung up or went silent
                    break
                self._handlers[task] = True
                items = framer.feed(chunk, max_errors=self.max_bad_frames - bad_in_a_row)
                partial_since = (partial_since or loop.time()) if framer.buffer else None
                frames = [item for item in items if not isinstance(item, hj212.ProtocolError)]
                errors = len(items) - len(frames)
                if errors:
                    at = clock.now()
                    for item in items:
                        if isinstance(item, hj212.ProtocolError):
                            rejected.add(item, at)
                outcomes = await self._store(frames, source) if frames else []
                for outcome in outcomes:
                    if outcome.accepted:
                        self._by_mn[outcome.packet.mn] = writer  # where its requests go
                if outcomes:
                    progress_at, partial_since = loop.time(), (loop.time() if framer.buffer else None)
                replies = [reply for reply in (o.reply() for o in outcomes) if reply]
                if replies:
                    writer.write(b"".join(replies))
                    async with asyncio.timeout(self.write_timeout):
                        await writer.drain()
                refused = errors + sum(1 for o in outcomes if not o.accepted)
                bad_in_a_row = 0 if any(o.accepted for o in outcomes) else bad_in_a_row + refused
                if bad_in_a_row >= self.max_bad_frames:
                    log.warning("%s: %d refused frames in a row, closing", source, bad_in_a_row)
                    break
                if rejected.garbage_bytes > self.max_garbage_bytes:
                    log.warning("%s: %d bytes that are not frames, closing", source, rejected.garbage_bytes)
                    break
                self._handlers[task] = False
                if self._stopping.is_set():  # this connection's packets are stored and acknowledged
                    self._keep_leftover(framer, rejected)
                    break
        except (ConnectionError, TimeoutError) as exc:
            log.info("%s: connection dropped: %s", source, exc)
        except asyncio.CancelledError:  # the server's stop (_drain): this task ends here, not with an error
            self._keep_leftover(framer, rejected)
            log.info("%s: closed by the server's stop", source)
        finally:
            self._handlers[task] = True  # closing: not cancelled by a stop from here on
            self._release(address)
            for mn in [mn for mn, w in self._by_mn.items() if w is writer]:
                del self._by_mn[mn]
            try:
                if rejected.tallies:
                    await self._log(rejected)
                writer.close()
                try:
                    await writer.wait_closed()
                except (ConnectionError, OSError):
                    pass
            finally:
                self._handlers.pop(task, None)

    @staticmethod
    def _keep_leftover(framer: hj212.FrameReader, rejected: ConnectionLog) -> None:
        leftover = framer.close()
        if leftover is not None:
            rejected.add(leftover, clock.now())

    async def _store(self, items: list, source: str) -> list[Outcome]:
        try:
            return await self.writer.submit(items, source)
        except Exception:  # noqa: BLE001 (logged by the writer)
            return []  # not stored: no acknowledgement, the device will resend

    async def _log(self, rejected: ConnectionLog) -> None:
        def write():
            close_old_connections()
            try:
                rejection_summaries_record(log=rejected)
            finally:
                connection.close()

        try:
            await asyncio.to_thread(write)
        except Exception:  # noqa: BLE001 (a lost log row must not take the server down)
            log.exception("%s: could not log %d framing errors", rejected.source,
                          sum(t.count for t in rejected.tallies.values()))
