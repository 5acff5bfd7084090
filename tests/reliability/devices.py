"""A simulated HJ 212 data logger: sends each packet until the server acknowledges it (CN 9014 with the
same QN), reconnecting and resending after a timeout or a dropped connection, like real loggers do."""
from __future__ import annotations

import datetime as dt
import itertools
import socket
import time

from monitoring import hj212

_qn = itertools.count(1)


def data_frame(mn: str, when: dt.datetime, items: dict, cn: str = "2011") -> tuple[str, bytes]:
    """(QN, frame) of a data upload asking for an acknowledgement (Flag=5: 2017 protocol, A bit set)."""
    qn = f"{when:%Y%m%d%H%M%S}{next(_qn) % 1000:03d}"
    data = hj212.data_segment(cn=cn, mn=mn, qn=qn, pw="123456", flag=5,
                              cp=hj212.data_cp(when.astimezone(hj212.DEFAULT_TZ), items))
    return qn, hj212.build_frame(data)


class Logger:
    def __init__(self, host: str, port: int, ack_timeout: float = 2.0):
        self.address = (host, port)
        self.ack_timeout = ack_timeout
        self.sock: socket.socket | None = None
        self.reader = hj212.FrameReader()
        self.sends = 0
        self.reconnects = 0

    def _connect(self) -> socket.socket:
        if self.sock is None:
            self.sock = socket.create_connection(self.address, timeout=self.ack_timeout)
            self.reader = hj212.FrameReader()
            self.reconnects += 1
        return self.sock

    def _drop(self) -> None:
        if self.sock is not None:
            self.sock.close()
            self.sock = None

    def _await_ack(self, qn: str) -> bool:
        deadline = time.monotonic() + self.ack_timeout
        while time.monotonic() < deadline:
            self.sock.settimeout(max(0.05, deadline - time.monotonic()))
            chunk = self.sock.recv(4096)
            if not chunk:
                raise ConnectionError("server closed the connection")
            for item in self.reader.feed(chunk):
                if isinstance(item, hj212.Frame):
                    reply = hj212.parse_packet(item.data)
                    if reply.qn == qn:
                        if reply.cn != "9014":
                            raise AssertionError(f"packet {qn} refused: {item.data!r}")
                        return True
        return False

    def send(self, qn: str, frame: bytes, give_up_after: float = 60.0) -> int:
        """Send until acknowledged; returns how many times the frame was sent."""
        deadline = time.monotonic() + give_up_after
        tries = 0
        while time.monotonic() < deadline:
            tries += 1
            self.sends += 1
            try:
                self._connect().sendall(frame)
                if self._await_ack(qn):
                    return tries
            except (OSError, ConnectionError):
                pass
            self._drop()  # no acknowledgement in time: reconnect and send the same packet again
            time.sleep(0.2)
        raise TimeoutError(f"packet {qn} never acknowledged after {tries} sends")

    def close(self) -> None:
        self._drop()
