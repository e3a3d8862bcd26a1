"""Time and memory limits for work on untrusted input (templates, region files).

A template is code: a loop of a billion steps or a gigabyte of output must end as that
region's Dutch error, not as a hung or swapping batch. Two layers:
- inside a worker process, `deadline()` interrupts Python code with a timer and the address
  space is capped (`cap_memory`), so a runaway render raises and the worker lives on;
- the parent (see workers.py) kills a worker that overruns its deadline all the same (a long
  C call cannot be interrupted by a timer) and starts a new one.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from collections.abc import Iterator
from dataclasses import dataclass

DEFAULT_SECONDS = 30.0
DEFAULT_MEMORY_MB = 1024


@dataclass(frozen=True)
class Limits:
    """Per document: at most `seconds` of rendering and `memory_mb` of extra memory."""

    seconds: float = DEFAULT_SECONDS
    memory_mb: int = DEFAULT_MEMORY_MB


class TimeLimitExceeded(Exception):
    """Raised inside a worker when a deadline passes."""


def time_message(seconds: float) -> str:
    return (
        f"het invullen duurde langer dan {seconds:g} s en is gestopt "
        "(een lus of berekening in het sjabloon die niet eindigt? De grens is in te stellen met --tijdslimiet)"
    )


def memory_message(memory_mb: int) -> str:
    return (
        f"het invullen had meer dan {memory_mb} MB geheugen nodig en is gestopt "
        "(maakt het sjabloon enorme tekst of lijsten? De grens is in te stellen met --geheugenlimiet)"
    )


@contextlib.contextmanager
def deadline(seconds: float | None) -> Iterator[None]:
    """Raise TimeLimitExceeded in this (main) thread once `seconds` have passed.

    Only where a timer can interrupt us: in the main thread. Elsewhere this is a no-op and
    the parent's hard deadline is the only limit."""
    if not seconds or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum: int, frame: object) -> None:
        raise TimeLimitExceeded

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _address_space() -> int:
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def cap_memory(memory_mb: int) -> None:
    """Allow this process `memory_mb` more address space than it has now (Linux; elsewhere a
    no-op). Meant for worker processes only: an allocation past the cap raises MemoryError."""
    try:
        import resource
    except ImportError:  # pragma: no cover - not on Linux
        return
    current = _address_space()
    if not current:
        return
    limit = current + memory_mb * 2**20
    try:
        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ValueError, OSError):
        pass


def die_with_parent() -> None:
    """Ask Linux to kill this process when its parent dies (also after kill -9 of the parent)."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # pragma: no cover - not on Linux
        pass
