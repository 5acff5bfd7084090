"""``manage.py replay_hj212 FILE [--host H --port P]``: feed a capture of HJ 212 frames (one a line, as
data loggers and receivers log them) through the real ingestion path and print, line by line, what was
stored, held, refused and acknowledged.

In-process (the default) the frames go through ``ingest_frames``, as the TCP server's writer calls it,
in batches; with ``--host``/``--port`` they are sent to a running ``hj212_server`` and its replies read.
Text before the ``##`` of a line (a log's time stamp, ``RX:``) is skipped; a missing CRLF is added.
"""
import socket
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from monitoring import hj212
from monitoring.services.ingest import ingest_frames


def frame_bytes(line: bytes) -> bytes | None:
    """The frame of one capture line, with its CRLF; None for a line without one."""
    start = line.find(hj212.HEADER)
    if start < 0:
        return None
    return line[start:].rstrip(b"\r\n") + hj212.TAIL


def describe_reply(raw: bytes | None) -> str:
    if not raw:
        return "no reply"
    frames = [f for f in hj212.FrameReader().feed(raw) if isinstance(f, hj212.Frame)]
    if not frames:
        return "unreadable reply"
    reply = hj212.parse_packet(frames[0].data)
    if reply.cn == "9011":
        return f"9011 QnRtn={reply.params.get('QnRtn', '?')}"
    return reply.cn


class Command(BaseCommand):
    help = "Replay a capture of HJ 212 frames (one a line) through ingestion and report each frame's fate."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--host", help="Send to a running hj212_server instead of ingesting in-process.")
        parser.add_argument("--port", type=int, default=9212)
        parser.add_argument("--timeout", type=float, default=5.0, help="Seconds to wait for a reply (TCP).")
        parser.add_argument("--batch", type=int, default=500, help="Frames per transaction (in-process).")

    def handle(self, *args, **options):
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path} is not a file")
        lines = [(n, frame_bytes(line)) for n, line in enumerate(path.read_bytes().splitlines(), start=1)
                 if line.strip()]
        skipped = [n for n, frame in lines if frame is None]
        for n in skipped:
            self.stdout.write(f"line {n}: no frame (no ##)")
        frames = [(n, frame) for n, frame in lines if frame is not None]
        if options["host"]:
            totals = self._over_tcp(frames, options["host"], options["port"], options["timeout"])
        else:
            totals = self._in_process(frames, options["batch"], path.name)
        self.stdout.write(f"{len(frames)} frames: {totals['stored']} stored ({totals['readings']} readings, "
                          f"{totals['held']} held values), {totals['refused']} refused, "
                          f"{totals['acknowledged']} acknowledged; {len(skipped)} lines without a frame")

    def _in_process(self, frames, batch: int, source: str) -> dict:
        totals = dict(stored=0, readings=0, held=0, refused=0, acknowledged=0)
        for i in range(0, len(frames), batch):
            chunk = frames[i:i + batch]
            numbers, items = [], []
            for n, frame in chunk:
                reader = hj212.FrameReader()
                found = reader.feed(frame)
                rest = reader.close()
                found += [rest] if rest is not None else []
                numbers += [n] * len(found)
                items += found
            for n, outcome in zip(numbers, ingest_frames(items, source=f"replay:{source}")):
                reply = outcome.reply()
                what = (f"MN {outcome.packet.mn} CN {outcome.packet.cn}" if outcome.packet else "")
                if outcome.accepted:
                    totals["stored"] += 1
                    totals["readings"] += outcome.readings
                    totals["held"] += outcome.held
                    fate = f"stored: {outcome.readings} readings ({outcome.stored} new), {outcome.held} held"
                    fate += ", kept as a device message" if outcome.messages else ""
                else:
                    totals["refused"] += 1
                    fate = f"refused: {outcome.reason} ({outcome.detail})"
                totals["acknowledged"] += int(bool(reply) and outcome.accepted)
                self.stdout.write(f"line {n}: {what} {fate}; reply: {describe_reply(reply)}".replace("  ", " "))
        return totals

    def _over_tcp(self, frames, host: str, port: int, timeout: float) -> dict:
        totals = dict(stored=0, readings=0, held=0, refused=0, acknowledged=0)
        try:
            conn = socket.create_connection((host, port), timeout=timeout)
        except OSError as exc:
            raise CommandError(f"cannot connect to {host}:{port}: {exc}") from None
        with conn:
            for n, frame in frames:
                conn.sendall(frame)
                try:
                    wants = hj212.parse_packet(frame[6:-6], lenient=True).wants_ack
                except hj212.ProtocolError:
                    wants = False
                reply = self._read_reply(conn) if wants else None
                text = describe_reply(reply)
                if text == "9014":
                    totals["acknowledged"] += 1
                    totals["stored"] += 1
                elif text.startswith("9011"):
                    totals["refused"] += 1
                self.stdout.write(f"line {n}: sent {len(frame)} bytes; reply: {text}")
        return totals

    @staticmethod
    def _read_reply(conn: socket.socket) -> bytes | None:
        reader, data = hj212.FrameReader(), b""
        try:
            while True:
                chunk = conn.recv(4096)
                if not chunk:
                    return data or None
                data += chunk
                if any(isinstance(f, hj212.Frame) for f in reader.feed(chunk)):
                    return data
        except TimeoutError:
            return data or None
