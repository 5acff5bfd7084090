"""Run a piece of database work beside the caller's, in a forked process with database connections of
its own, where the database takes concurrent writers and the work can see what the caller committed
(PostgreSQL, outside a transaction); elsewhere (the embedded SQLite, a test's transaction) in line.

The demo seed uses it for parts that read only what earlier steps committed: on two cores the client's
Python and the server's work of two such steps overlap, where one after the other each waits for the
other half of the time.
"""
import multiprocessing
import traceback
from collections.abc import Callable

from django.db import connection, connections


class BesideError(RuntimeError):
    """The work failed in its own process; the message carries that process's traceback."""


def can_fork() -> bool:
    return connection.vendor == "postgresql" and not connection.in_atomic_block \
        and "fork" in multiprocessing.get_all_start_methods()


class Beside:
    """``Beside(work)`` starts ``work()`` now; ``result()`` waits for it and returns what it returned (a
    picklable value), or raises ``BesideError`` with the traceback of what it raised. In line, ``work``
    runs (and raises) in the constructor."""

    def __init__(self, work: Callable[[], object]):
        self._process = None
        if not can_fork():
            self._value = work()
            return
        connections.close_all()  # the child opens its own; no socket is shared across the fork
        context = multiprocessing.get_context("fork")
        self._receiver, sender = context.Pipe(duplex=False)
        self._process = context.Process(target=_child, args=(work, sender), daemon=True)
        self._process.start()
        sender.close()

    def result(self):
        if self._process is None:
            return self._value
        try:
            ok, value = self._receiver.recv()
        except EOFError:
            ok, value = False, f"the process ended without an answer (exit code {self._process.exitcode})"
        self._process.join()
        if not ok:
            raise BesideError(value)
        return value


def _child(work, sender) -> None:
    try:
        answer = (True, work())
    except Exception:  # anything else ends the process; the parent then hears no answer
        answer = (False, traceback.format_exc())
    finally:
        connections.close_all()
    sender.send(answer)
    sender.close()
