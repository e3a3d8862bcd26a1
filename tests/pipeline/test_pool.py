"""The worker pool starts workers only when there is work, one per task up to its size, gets
them ready while tasks are still submitted, and runs `meanwhile` without holding up a worker."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from convenant_gen.pipeline import workers
from convenant_gen.pipeline.batch import build_all
from convenant_gen.pipeline.limits import Limits
from convenant_gen.pipeline.workers import Failed, Pool
from tests.conftest import REGIONS, ROOT


def _square(x: int) -> int:
    return x * x


def _broken_warm() -> None:
    raise RuntimeError("warming failed")


def _pid(_: int) -> int:
    return os.getpid()


def counted_forks(monkeypatch) -> list[int]:
    forks: list[int] = []
    real = os.fork

    def fork() -> int:
        pid = real()
        if pid:
            forks.append(pid)
        return pid

    monkeypatch.setattr(workers.os, "fork", fork)
    return forks


def test_a_pool_without_tasks_forks_nothing(monkeypatch):
    forks = counted_forks(monkeypatch)
    with Pool(_square, workers=4, limits=Limits(), hard_seconds=10) as pool:
        assert list(pool.results()) == []
    assert forks == []


def test_one_task_one_worker_and_never_more_than_the_size(monkeypatch):
    forks = counted_forks(monkeypatch)
    with Pool(_pid, workers=2, limits=Limits(), hard_seconds=10) as pool:
        pool.submit(0)
        assert len(forks) == 1
        for i in range(1, 12):
            pool.submit(i)
        results = dict(pool.results())
    assert len(forks) == 2
    assert set(results) == set(range(12))
    assert set(results.values()) <= set(forks)


def test_a_failing_warm_up_costs_nothing_but_the_head_start():
    with Pool(_square, workers=2, limits=Limits(), hard_seconds=10, warm=_broken_warm) as pool:
        for i in range(6):
            pool.submit(i)
        assert dict(pool.results()) == {i: i * i for i in range(6)}


def test_meanwhile_runs_once_after_the_last_task_is_handed_out():
    calls: list[int] = []
    with Pool(_square, workers=2, limits=Limits(), hard_seconds=10) as pool:
        for i in range(5):
            pool.submit(i)

        def meanwhile() -> None:
            calls.append(len(pool.pending))

        results = dict(pool.results(meanwhile=meanwhile))
    assert results == {i: i * i for i in range(5)}
    assert calls in ([0], [])  # [] only when every task had already finished


def test_a_no_op_build_forks_no_worker(tmp_path: Path, monkeypatch):
    regions = tmp_path / "regions"
    shutil.copytree(REGIONS, regions, ignore=shutil.ignore_patterns("*.json"))
    files = sorted(regions.glob("*.yaml"))
    out = tmp_path / "out"
    options = {"templates": ROOT / "templates", "jobs": 2}
    assert {r.status for r in build_all(files, out, **options).results} == {"gemaakt"}
    forks = counted_forks(monkeypatch)
    assert {r.status for r in build_all(files, out, **options).results} == {"ongewijzigd"}
    assert forks == []
    (regions / "achterhoek.yaml").write_text(
        (regions / "achterhoek.yaml").read_text(encoding="utf-8") + "# gewijzigd\n", encoding="utf-8"
    )
    statuses = [r.status for r in build_all(files, out, **options).results]
    assert statuses.count("gemaakt") == 1
    assert len(forks) == 1  # one region to build: one worker, not one per core


def test_failed_is_still_reported_for_a_dying_worker():
    with Pool(os._exit, workers=1, limits=Limits(), hard_seconds=10) as pool:
        pool.submit(3)
        pool.submit(4)
        results = dict(pool.results())
    assert all(isinstance(r, Failed) for r in results.values()) and set(results) == {0, 1}
