"""Ctrl-C and SIGTERM (systemd stopping a unit) end a run cleanly: nothing half-published.

Without help an interrupt surfaces in one of two shapes, depending on where it lands: a
KeyboardInterrupt from Python code, or `RuntimeError('Query interrupted')` from inside a DuckDB query
(DuckDB checks for signals itself and raises its own error, after finishing a good part of the query).
`interruptible()` installs one handler for both signals that records the request, stops the running
queries of the connections that were registered with `watch`, and raises `Interrupted`. Whatever
exception then climbs out, `requested()` tells the command line that it was an interrupt.

Inside `deferred()` (the publish) the handler only records the request; the publish looks at it
before the one step that cannot be undone (the rename) and gives up cleanly if it is set.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from types import FrameType
from typing import Any, Protocol


class Interrupted(KeyboardInterrupt):
    """The run was interrupted (Ctrl-C or SIGTERM)."""


class _Interruptible(Protocol):
    def interrupt(self) -> Any: ...


_requested = threading.Event()
_deferring = threading.Event()
_watched: set[_Interruptible] = set()


def requested() -> bool:
    return _requested.is_set()


def check() -> None:
    """Raise Interrupted if an interrupt was asked for (used at safe points between steps)."""
    if _requested.is_set():
        raise Interrupted


def watch(con: _Interruptible) -> None:
    _watched.add(con)


def unwatch(con: _Interruptible) -> None:
    _watched.discard(con)


def _handle(signum: int, frame: FrameType | None) -> None:
    _requested.set()
    if _deferring.is_set():
        return
    for con in list(_watched):
        with contextlib.suppress(Exception):
            con.interrupt()
    raise Interrupted


@contextlib.contextmanager
def interruptible() -> Iterator[None]:
    """Route SIGINT and SIGTERM to the handler above for the duration (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    _requested.clear()
    previous = {sig: signal.signal(sig, _handle) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


@contextlib.contextmanager
def deferred() -> Iterator[None]:
    """Record interrupts without acting on them; the caller decides where it is safe to stop."""
    _deferring.set()
    try:
        yield
    finally:
        _deferring.clear()
