"""A guard that turns a hang (an ``open()`` blocked on a FIFO, a reader that never ends)
into a test failure instead of a suite that never ends."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["Hung", "no_hang"]


class Hung(BaseException):
    """Raised by the alarm when the guarded block takes too long (a ``BaseException``, so
    no ``except Exception`` in the code under test catches it)."""


@contextmanager
def no_hang(seconds: int = 10) -> Iterator[None]:
    """Fail with :class:`Hung` when the block takes longer than ``seconds`` (the alarm's
    signal interrupts a blocking system call)."""

    def alarm(signum: int, frame: object) -> None:
        raise Hung(f"blocked for more than {seconds} s")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
