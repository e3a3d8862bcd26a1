"""A small pool of forked worker processes that run untrusted work under limits.

Why not concurrent.futures: a worker that overruns its time limit must be killed without
losing the other regions (ProcessPoolExecutor breaks the whole pool), we must know which task
a worker was running when it died, and workers must die with their parent (kill -9 of the
CLI otherwise leaves workers running and holding the caller's pipes).

Tasks are passed by index: workers are forked after the task list exists, so they share it
and only results cross the pipe. A worker that dies or overruns is replaced; its task is
reported as failed with a Dutch reason, and every other task still runs.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection, Pipe, wait
from typing import Any

from convenant_gen.pipeline.limits import Limits, cap_memory, die_with_parent, time_message


@dataclass
class Failed:
    """A task that did not return: its worker overran the hard deadline, died, or raised."""

    reason: str


@dataclass
class _Worker:
    pid: int
    conn: Connection
    task: int | None = None
    started: float = 0.0


def run_tasks(
    fn: Callable[[Any], Any],
    tasks: Sequence[Any],
    *,
    workers: int,
    limits: Limits,
    hard_seconds: float,
) -> Iterator[tuple[int, Any]]:
    """Run fn(task) for every task in worker processes; yield (index, result or Failed) as
    each finishes. `hard_seconds` bounds one task: past it the worker is killed."""
    if not tasks:
        return
    pool: list[_Worker] = []
    pending = list(range(len(tasks)))
    pending.reverse()  # pop() from the end takes them in input order
    parent = os.getpid()
    try:
        for _ in range(max(1, min(workers, len(tasks)))):
            pool.append(_start(fn, tasks, limits, parent))
        for worker in pool:
            _give(worker, pending)
        while any(w.task is not None for w in pool):
            busy = [w for w in pool if w.task is not None]
            now = time.monotonic()
            timeout = max(0.0, min(w.started + hard_seconds for w in busy) - now)
            ready = wait([w.conn for w in busy], timeout=timeout)
            for worker in busy:
                current = worker.task
                assert current is not None
                if worker.conn in ready:
                    try:
                        index, result = worker.conn.recv()
                    except (EOFError, OSError):
                        index, result = current, Failed(_death(worker))
                        _replace(worker, pool, fn, tasks, limits, parent)
                        worker = pool[-1]
                    yield index, result
                    if index == worker.task:
                        worker.task = None
                    _give(worker, pending)
                elif time.monotonic() >= worker.started + hard_seconds:
                    index = current
                    os.kill(worker.pid, signal.SIGKILL)
                    _replace(worker, pool, fn, tasks, limits, parent)
                    yield index, Failed(time_message(limits.seconds))
                    _give(pool[-1], pending)
    finally:
        for worker in pool:
            _stop(worker)


def _start(fn: Callable[[Any], Any], tasks: Sequence[Any], limits: Limits, parent: int) -> _Worker:
    ours, theirs = Pipe()
    pid = os.fork()
    if pid == 0:  # the worker
        code = 0
        try:
            ours.close()
            _serve(theirs, fn, tasks, limits, parent)
        except BaseException:
            code = 1
        finally:
            os._exit(code)
    theirs.close()
    return _Worker(pid, ours)


def _serve(conn: Connection, fn: Callable[[Any], Any], tasks: Sequence[Any], limits: Limits, parent: int) -> None:
    die_with_parent()
    if os.getppid() != parent:  # the parent died before we could ask to die with it
        return
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    cap_memory(limits.memory_mb)
    while True:
        try:
            index = conn.recv()
        except (EOFError, OSError):
            return
        if index is None:
            return
        try:
            result = fn(tasks[index])
        except MemoryError:
            result = Failed("te weinig geheugen (zie --geheugenlimiet)")
        except BaseException as e:  # our bug; the region fails, the batch goes on
            result = Failed(f"interne fout ({type(e).__name__}: {e}); meld dit aan het landelijke team")
        try:
            conn.send((index, result))
        except (OSError, ValueError):
            return


def _give(worker: _Worker, pending: list[int]) -> None:
    if worker.task is None and pending:
        worker.task = pending.pop()
        worker.started = time.monotonic()
        worker.conn.send(worker.task)


def _replace(
    worker: _Worker,
    pool: list[_Worker],
    fn: Callable[[Any], Any],
    tasks: Sequence[Any],
    limits: Limits,
    parent: int,
) -> None:
    """Reap `worker` and put a fresh one at the end of the pool."""
    _stop(worker, kill=True)
    pool.remove(worker)
    pool.append(_start(fn, tasks, limits, parent))


def _death(worker: _Worker) -> str:
    try:
        _, status = os.waitpid(worker.pid, 0)
    except ChildProcessError:
        status = 0
    worker.pid = 0
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        if sig == signal.SIGKILL:
            return "het werkproces is gestopt (signaal KILL; te weinig geheugen?)"
        return f"het werkproces is onverwacht gestopt (signaal {signal.Signals(sig).name})"
    return "het werkproces is onverwacht gestopt"


def _stop(worker: _Worker, kill: bool = False) -> None:
    if worker.pid:
        try:
            if kill or worker.task is not None:
                os.kill(worker.pid, signal.SIGKILL)
            else:
                worker.conn.send(None)
        except (OSError, ValueError):
            pass
        try:
            os.waitpid(worker.pid, 0)
        except ChildProcessError:
            pass
        worker.pid = 0
    worker.conn.close()
