"""A small pool of forked worker processes that run untrusted work under limits.

Why not concurrent.futures: a worker that overruns its time limit must be killed without
losing the other regions (ProcessPoolExecutor breaks the whole pool), we must know which task
a worker was running when it died, and workers must die with their parent (kill -9 of the
CLI otherwise leaves workers running and holding the caller's pipes).

Workers start when there is work (see Pool) and get their tasks over a pipe. A worker that
dies or overruns is replaced; its task is reported as failed with a Dutch reason, and every
other task still runs.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from collections import deque
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
    with Pool(fn, workers=workers, limits=limits, hard_seconds=hard_seconds) as pool:
        for task in tasks:
            pool.submit(task)
        yield from pool.results()


class Pool:
    """Worker processes that start with the first task submitted, one more for each task
    submitted while all are busy, up to `workers`: a build with nothing to do forks nothing,
    and a worker gets ready (`warm`, e.g. imports) while the caller still looks for work.

    Tasks are numbered in the order submitted and sent to a worker over its pipe; results are
    collected as they come, also while the caller is still submitting, and `results()` yields
    (index, result or Failed) until every task submitted has one. A task that overruns
    `hard_seconds` from the moment it was handed out is killed with its worker."""

    def __init__(
        self,
        fn: Callable[[Any], Any],
        *,
        workers: int,
        limits: Limits,
        hard_seconds: float,
        warm: Callable[[], None] | None = None,
    ):
        self.fn, self.size, self.limits, self.hard, self.warm = fn, max(1, workers), limits, hard_seconds, warm
        self.workers: list[_Worker] = []
        self.submitted = 0
        self.pending: deque[tuple[int, Any]] = deque()  # (index, task) not yet handed out
        self.done: deque[tuple[int, Any]] = deque()
        self.parent = os.getpid()

    def __enter__(self) -> Pool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def submit(self, task: Any) -> None:
        self.pending.append((self.submitted, task))
        self.submitted += 1
        if len(self.workers) < self.size and all(w.task is not None for w in self.workers):
            self.workers.append(self._start())
        self._collect(0.0)

    def results(self, meanwhile: Callable[[], None] | None = None) -> Iterator[tuple[int, Any]]:
        """Every result; `meanwhile` runs once in this process when the last task has been
        handed out and workers are still busy, so that it holds up no worker."""
        while True:
            while self.done:
                yield self.done.popleft()
            if not any(w.task is not None for w in self.workers):
                return
            if meanwhile is not None and not self.pending:
                meanwhile()
                meanwhile = None
                continue
            busy = [w for w in self.workers if w.task is not None]
            self._collect(max(0.0, min(w.started + self.hard for w in busy) - time.monotonic()))

    def close(self) -> None:
        for worker in self.workers:
            _stop(worker)
        self.workers.clear()

    def _collect(self, timeout: float) -> None:
        """Hand out pending tasks, then take the results that are ready within `timeout` and
        kill the workers past the hard deadline."""
        for worker in self.workers:
            self._give(worker)
        busy = [w for w in self.workers if w.task is not None]
        if not busy:
            return
        ready = wait([w.conn for w in busy], timeout=timeout)
        for worker in busy:
            current = worker.task
            assert current is not None
            if worker.conn in ready:
                try:
                    index, result = worker.conn.recv()
                except (EOFError, OSError):
                    index, result = current, Failed(_death(worker))
                    worker = self._replace(worker)
                self.done.append((index, result))
                if index == worker.task:
                    worker.task = None
                self._give(worker)
            elif time.monotonic() >= worker.started + self.hard:
                os.kill(worker.pid, signal.SIGKILL)
                worker = self._replace(worker)
                self.done.append((current, Failed(time_message(self.limits.seconds))))
                self._give(worker)

    def _give(self, worker: _Worker) -> None:
        if worker.task is None and self.pending:
            worker.task, task = self.pending.popleft()
            worker.started = time.monotonic()
            worker.conn.send((worker.task, task))

    def _replace(self, worker: _Worker) -> _Worker:
        """Reap `worker` and put a fresh one in its place."""
        _stop(worker, kill=True)
        fresh = self._start()
        self.workers[self.workers.index(worker)] = fresh
        return fresh

    def _start(self) -> _Worker:
        ours, theirs = Pipe()
        pid = os.fork()
        if pid == 0:  # the worker
            code = 0
            try:
                ours.close()
                _serve(theirs, self.fn, self.warm, self.limits, self.parent)
            except BaseException:
                code = 1
            finally:
                os._exit(code)
        theirs.close()
        return _Worker(pid, ours)


def _serve(
    conn: Connection,
    fn: Callable[[Any], Any],
    warm: Callable[[], None] | None,
    limits: Limits,
    parent: int,
) -> None:
    die_with_parent()
    if os.getppid() != parent:  # the parent died before we could ask to die with it
        return
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    if warm is not None:
        with contextlib.suppress(Exception):  # only a head start: the task finds any fault itself
            warm()
    cap_memory(limits.memory_mb)
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        index, task = message
        try:
            result = fn(task)
        except MemoryError:
            result = Failed("te weinig geheugen (zie --geheugenlimiet)")
        except BaseException as e:  # our bug; the region fails, the batch goes on
            result = Failed(f"interne fout ({type(e).__name__}: {e}); meld dit aan het landelijke team")
        try:
            conn.send((index, result))
        except (OSError, ValueError):
            return


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
