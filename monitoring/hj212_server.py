"""The HJ 212 TCP server: many devices at once on one asyncio loop, database writes in writer threads.

Each connection has its own ``FrameReader``, a read timeout and a cap on consecutive framing errors, so a
slow, silent or broken client only ever holds its own connection. Complete frames go to ``BatchWriter``,
which group-commits whatever has queued up from all connections in one ``ingest_frames`` call (one
transaction, set-based SQL), off the event loop. A connection gets its acknowledgements (CN 9014, or
9011 with QnRtn for a refused packet that asked for a reply) only after its packets are committed.
If the database is down the batch is retried with a fresh connection; packets that still cannot be
stored are not acknowledged, so the devices resend them (and they are stored once).
"""
from __future__ import annotations

import asyncio
import logging
import queue
import threading
import time
from dataclasses import dataclass

from django.db import (
    InterfaceError,
    OperationalError,
    close_old_connections,
    connection,
)

from monitoring import hj212
from monitoring.services.ingest import Outcome, ingest_frames

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
    batches (deadlock) is retried like a lost connection, and ON CONFLICT keeps the retry exactly-once."""

    def __init__(self, max_items: int = 2000, linger: float = 0.0, retries: int = 3, retry_delay: float = 1.0,
                 threads: int = 2):
        self.max_items = max_items
        self.linger = linger
        self.retries = retries
        self.retry_delay = retry_delay
        self.queue: queue.Queue[Job | None] = queue.Queue()
        self.threads = [threading.Thread(target=self._run, name=f"hj212-writer-{n}", daemon=True)
                        for n in range(threads)]
        self._count_lock = threading.Lock()
        self.batches = 0
        self.frames = 0

    def start(self) -> None:
        for thread in self.threads:
            thread.start()

    def stop(self) -> None:
        for _ in self.threads:
            self.queue.put(None)
        for thread in self.threads:
            thread.join()

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
        for attempt in range(self.retries + 1):
            try:
                close_old_connections()
                outcomes = ingest_frames(items, source=sources)
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
        at = 0
        for job in jobs:
            result = outcomes[at:at + len(job.items)]
            at += len(job.items)
            job.loop.call_soon_threadsafe(_resolve, job.future, result)

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
                 writer: BatchWriter | None = None):
        self.host, self.port = host, port
        self.read_timeout = read_timeout
        self.write_timeout = write_timeout
        self.max_length = max_length
        self.max_bad_frames = max_bad_frames
        self.writer = writer or BatchWriter()
        self.started = threading.Event()
        self.connections = 0
        self._server: asyncio.base_events.Server | None = None
        self._stopping: asyncio.Event | None = None

    async def serve(self) -> None:
        self._stopping = asyncio.Event()
        self.writer.start()
        self._server = await asyncio.start_server(self._handle, self.host, self.port, limit=2 ** 16)
        self.port = self._server.sockets[0].getsockname()[1]
        log.info("HJ 212 server listening on %s:%s", self.host, self.port)
        self.started.set()
        try:
            await self._stopping.wait()
        finally:
            self._server.close()
            await self._server.wait_closed()
            await asyncio.to_thread(self.writer.stop)

    def stop(self, loop: asyncio.AbstractEventLoop) -> None:
        """Thread-safe request to stop serving."""
        loop.call_soon_threadsafe(lambda: self._stopping and self._stopping.set())

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        peer = writer.get_extra_info("peername")
        source = f"{peer[0]}:{peer[1]}" if peer else "?"
        framer = hj212.FrameReader(self.max_length)
        bad_in_a_row = 0
        self.connections += 1
        try:
            while True:
                try:
                    chunk = await asyncio.wait_for(reader.read(65536), self.read_timeout)
                except asyncio.TimeoutError:
                    log.info("%s: idle for %ss, closing", source, self.read_timeout)
                    chunk = b""
                if not chunk:
                    leftover = framer.close()  # half a frame left when the client hung up or went silent
                    if leftover is not None:
                        await self._store([leftover], source)
                    break
                items = framer.feed(chunk)
                if not items:
                    continue
                outcomes = await self._store(items, source)
                replies = [reply for reply in (o.reply() for o in outcomes) if reply]
                if replies:
                    writer.write(b"".join(replies))
                    await asyncio.wait_for(writer.drain(), self.write_timeout)
                bad_in_a_row = 0 if any(o.accepted for o in outcomes) else bad_in_a_row + len(outcomes)
                if bad_in_a_row >= self.max_bad_frames:
                    log.warning("%s: %d refused frames in a row, closing", source, bad_in_a_row)
                    break
        except (ConnectionError, asyncio.TimeoutError) as exc:
            log.info("%s: connection dropped: %s", source, exc)
        finally:
            self.connections -= 1
            writer.close()
            try:
                await writer.wait_closed()
            except (ConnectionError, OSError):
                pass

    async def _store(self, items: list, source: str) -> list[Outcome]:
        try:
            return await self.writer.submit(items, source)
        except Exception:  # noqa: BLE001 (logged by the writer)
            return []  # not stored: no acknowledgement, the device will resend
