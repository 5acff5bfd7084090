"""The JT/T 808 TCP receiver: many terminals on one asyncio loop, database work in a few threads.

Per connection: registration (0x0100 → 0x8100 with the authentication code), authentication (0x0102),
heartbeats (0x0002), location reports (0x0200) and batch uploads (0x0704) answered by the general
acknowledgement 0x8001. A report is acknowledged with result 0 only after it is committed (all reports
of one read are stored in one statement, duplicates ignored), so a terminal that gets no answer resends
and nothing is stored twice. In a batch, a position that fails its checks is logged with its reason and
left out, the others are stored; a batch with no acceptable position is a message error.

Sub-packages are joined per connection (``jt808.Reassembler``): each packet is acknowledged on arrival,
the one completing the message after the message is handled; when the last packet came and others are
missing, the platform asks for them (0x8003).

Refusals are logged with their reason and answered: a bad checksum or a bad position with "message
error" (2), a report before authentication with "failure" (1), an unknown message with "not supported"
(3). Frames whose header cannot be read are only logged. A connection sending ``max_bad_frames`` refused
frames in a row, or silent for ``read_timeout``, is closed.
"""
from __future__ import annotations

import asyncio
import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from django.db import close_old_connections, connection

from core import clock

from . import jt808
from .models import GpsPoint
from .services.terminals import terminal_authenticate, terminal_register
from .services.trajectories import Point, check_point, gps_points_store

log = logging.getLogger("waste.jt808_server")


@dataclass
class Session:
    source: str
    vehicle_id: int | None = None
    phone: str = ""
    serial: int = 0
    packets: jt808.Reassembler = field(default_factory=jt808.Reassembler)

    def next_serial(self) -> int:
        self.serial = (self.serial + 1) & 0xFFFF
        return self.serial


def _in_thread(fn, *args, **kwargs):
    close_old_connections()
    return fn(*args, **kwargs)


class Server:
    """``await Server(...).serve()`` listens until ``stop()``; ``started`` is set once it listens."""

    def __init__(self, host: str = "0.0.0.0", port: int = 8808, *, read_timeout: float = 300.0,
                 write_timeout: float = 30.0, max_bad_frames: int = 20, workers: int = 2):
        self.host, self.port = host, port
        self.read_timeout, self.write_timeout = read_timeout, write_timeout
        self.max_bad_frames = max_bad_frames
        self.workers = workers
        self.started = threading.Event()
        self.points_stored = 0
        self._executor: ThreadPoolExecutor | None = None
        self._stopping: asyncio.Event | None = None

    async def serve(self) -> None:
        self._stopping = asyncio.Event()
        self._executor = ThreadPoolExecutor(self.workers, thread_name_prefix="jt808-db")
        server = await asyncio.start_server(self._handle, self.host, self.port, limit=2 ** 16)
        self.port = server.sockets[0].getsockname()[1]
        log.info("JT/T 808 receiver listening on %s:%s", self.host, self.port)
        self.started.set()
        try:
            await self._stopping.wait()
        finally:
            server.close()
            await server.wait_closed()
            await asyncio.to_thread(self._close_executor)

    def _close_executor(self) -> None:
        """Close each worker thread's database connection, then the pool."""
        barrier = threading.Barrier(self.workers)

        def close():
            connection.close()
            barrier.wait(timeout=10)

        for future in [self._executor.submit(close) for _ in range(self.workers)]:
            future.result()
        self._executor.shutdown()

    def stop(self, loop: asyncio.AbstractEventLoop) -> None:
        """Thread-safe request to stop serving."""
        loop.call_soon_threadsafe(lambda: self._stopping and self._stopping.set())

    async def _db(self, fn, *args, **kwargs):
        return await asyncio.get_running_loop().run_in_executor(self._executor, lambda: _in_thread(fn, *args, **kwargs))

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        peer = writer.get_extra_info("peername")
        session = Session(source=f"{peer[0]}:{peer[1]}" if peer else "?")
        splitter = jt808.FrameSplitter()
        bad_in_a_row = 0
        try:
            while True:
                try:
                    chunk = await asyncio.wait_for(reader.read(65536), self.read_timeout)
                except asyncio.TimeoutError:
                    log.info("%s: silent for %ss, closing", session.source, self.read_timeout)
                    break
                if not chunk:
                    break
                frames, errors = splitter.feed(chunk)
                for error in errors:
                    self._refused(session, error)
                replies, refused = await self._answer(session, frames)
                bad_in_a_row = bad_in_a_row + refused + len(errors) if refused == len(frames) else 0
                if replies:
                    writer.write(b"".join(replies))
                    await asyncio.wait_for(writer.drain(), self.write_timeout)
                if bad_in_a_row >= self.max_bad_frames:
                    log.warning("%s: %d refused frames in a row, closing", session.source, bad_in_a_row)
                    break
        except (ConnectionError, asyncio.TimeoutError) as exc:
            log.info("%s: connection dropped: %s", session.source, exc)
        finally:
            writer.close()
            try:
                await writer.wait_closed()
            except (ConnectionError, OSError):
                pass

    def _refused(self, session: Session, error: jt808.FrameError) -> None:
        who = error.header.phone if error.header else session.phone or "?"
        log.warning("%s terminal %s: frame refused: %s (%s)", session.source, who, error.reason, error)

    def _reply(self, session: Session, header: jt808.Header, msg_id: int, body: bytes) -> bytes:
        return jt808.encode(msg_id, header.phone, session.next_serial(), body, header.version)

    def _ack(self, session: Session, header: jt808.Header, result: int) -> bytes:
        return self._reply(session, header, jt808.GENERAL_ACK, jt808.general_ack_body(header.serial, header.msg_id,
                                                                                      result))

    async def _answer(self, session: Session, frames: list[bytes]) -> tuple[list[bytes], int]:
        """The replies to the frames of one read, in order, and how many frames were refused."""
        replies: list[bytes | tuple[jt808.Header, int]] = []  # a tuple: a location waiting for its commit
        points: list[Point] = []
        refused = 0
        now = clock.now()
        for content in frames:
            try:
                message = jt808.decode(content)
                if message.header.packet is not None:
                    message = self._packet(session, message, replies)
                    if message is None:
                        continue
                reply, found = await self._one(session, message, now)
            except jt808.FrameError as error:
                self._refused(session, error)
                refused += 1
                if error.header is not None:
                    result = jt808.FAILURE if error.reason == "not_authenticated" else jt808.MESSAGE_ERROR
                    replies.append(self._ack(session, error.header, result))
                continue
            if found:
                replies.append((message.header, len(points)))
                points += found
            elif reply is not None:
                replies.append(reply)
        stored = bool(points)
        if points:
            try:
                self.points_stored += await self._db(gps_points_store, points, source=GpsPoint.Source.JT808)
            except Exception:  # noqa: BLE001 (not stored: no acknowledgement, the terminal resends)
                log.exception("%s: %d positions could not be stored", session.source, len(points))
                stored = False
        out = []
        for reply in replies:
            if isinstance(reply, tuple):
                if stored:
                    out.append(self._ack(session, reply[0], jt808.OK))
            else:
                out.append(reply)
        return out, refused

    def _packet(self, session: Session, message: jt808.Message, replies: list) -> jt808.Message | None:
        """The whole message once this sub-package completes it; until then the packet is acknowledged
        (and, after the last index, the missing ones are asked for)."""
        whole, missing = session.packets.add(message)
        if whole is not None:
            return whole
        header = message.header
        replies.append(self._ack(session, header, jt808.OK))
        if missing:
            log.info("%s terminal %s: message %#06x lacks packets %s, asking for them", session.source,
                     header.phone, header.msg_id, missing)
            replies.append(self._reply(session, header, jt808.RESEND_PACKETS, jt808.resend_request_body(
                session.packets.first_serial(header), missing, header.is_2019)))
        return None

    def _position(self, session: Session, loc: jt808.Location, now, header: jt808.Header) -> Point:
        """The checked position of a location, or FrameError with the reason."""
        if not loc.positioned:
            raise jt808.FrameError("no_fix", "status says the terminal has no GPS fix", header)
        reason, detail = check_point(latitude=loc.latitude, longitude=loc.longitude, at=loc.at, now=now,
                                     speed=loc.speed_kmh, direction=loc.direction)
        if reason:
            raise jt808.FrameError(reason, detail, header)
        return Point(session.vehicle_id, loc.at, loc.latitude, loc.longitude, loc.speed_kmh, loc.direction,
                     loc.altitude, loc.alarm, loc.status)

    def _batch(self, session: Session, message: jt808.Message, now) -> list[Point]:
        """The acceptable positions of a 0x0704; each refused item is logged with its reason."""
        header = message.header
        kind, items = jt808.parse_location_batch(message)
        points = []
        for number, item in enumerate(items, 1):
            try:
                points.append(self._position(session, jt808.location_of(item, header), now, header))
            except jt808.FrameError as error:
                log.warning("%s terminal %s: batch item %d of %d refused: %s (%s)", session.source, header.phone,
                            number, len(items), error.reason, error)
        if not points:
            raise jt808.FrameError("no_valid_position", f"none of the {len(items)} batch items is acceptable",
                                   header)
        return points

    def _authenticated(self, session: Session, header: jt808.Header) -> None:
        if session.vehicle_id is None or header.phone != session.phone:
            raise jt808.FrameError("not_authenticated", "location report before authentication", header)

    async def _one(self, session: Session, message: jt808.Message, now) -> tuple[bytes | None, list[Point]]:
        header = message.header
        if header.msg_id == jt808.REGISTER:
            fields = jt808.parse_registration(message)
            result, code = await self._db(terminal_register, phone=header.phone, plate=fields["plate"])
            if result != jt808.REGISTERED:
                log.warning("%s terminal %s: registration of %s refused (result %d)", session.source, header.phone,
                            fields["plate"], result)
            return self._reply(session, header, jt808.REGISTER_ACK,
                               jt808.registration_ack_body(header.serial, result, code)), []
        if header.msg_id == jt808.AUTHENTICATE:
            vehicle_id = await self._db(terminal_authenticate, phone=header.phone,
                                        code=jt808.parse_authentication(message))
            if vehicle_id is None:
                log.warning("%s terminal %s: wrong authentication code", session.source, header.phone)
                return self._ack(session, header, jt808.FAILURE), []
            session.vehicle_id, session.phone = vehicle_id, header.phone
            return self._ack(session, header, jt808.OK), []
        if header.msg_id == jt808.HEARTBEAT:
            return self._ack(session, header, jt808.OK), []
        if header.msg_id == jt808.LOCATION:
            self._authenticated(session, header)
            return None, [self._position(session, jt808.parse_location(message), now, header)]
        if header.msg_id == jt808.LOCATION_BATCH:
            self._authenticated(session, header)
            return None, self._batch(session, message, now)
        log.info("%s terminal %s: message %#06x not supported", session.source, header.phone, header.msg_id)
        return self._ack(session, header, jt808.NOT_SUPPORTED), []
