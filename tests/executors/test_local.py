"""The executor interface: io units on threads, cpu units in worker processes, results as they finish."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator

import pytest

from govscan.executors import LocalExecutor, SerialExecutor

_installed: dict[str, str] = {}


def install(value: str) -> None:
    _installed["context"] = value


def where(unit: int) -> tuple[int, int, str, str | None]:
    return unit, os.getpid(), threading.current_thread().name, _installed.get("context")


def fail_on_three(unit: int) -> int:
    if unit == 3:
        raise ValueError("three")
    return unit


def test_cpu_units_run_in_worker_processes_with_the_context_installed() -> None:
    with LocalExecutor(cpu_workers=2, initializer=install, initargs=("rules+key",)) as executor:
        results = list(executor.run(where, range(20), "cpu"))
    assert sorted(r[0] for r in results) == list(range(20))
    assert os.getpid() not in {r[1] for r in results}
    assert {r[3] for r in results} == {"rules+key"}


def test_io_units_run_on_threads_of_this_process() -> None:
    with LocalExecutor(io_workers=4, initializer=install, initargs=("ctx",)) as executor:
        results = list(executor.run(where, range(12), "io"))
    assert {r[1] for r in results} == {os.getpid()}
    assert all(r[2].startswith("govscan-io") for r in results)
    assert {r[3] for r in results} == {"ctx"}


def test_units_are_pulled_lazily_so_an_endless_source_never_fills_memory() -> None:
    pulled = []

    def endless() -> Iterator[int]:
        n = 0
        while True:
            pulled.append(n)
            yield n
            n += 1

    with LocalExecutor(io_workers=2) as executor:
        results = executor.run(where, endless(), "io")
        first = [next(results) for _ in range(5)]
        results.close()
    assert len(first) == 5
    assert len(pulled) <= 5 + 2 * 4 + 1  # what was consumed plus at most the in-flight bound


def test_a_failing_unit_raises_in_the_caller_not_silently() -> None:
    with SerialExecutor() as executor, pytest.raises(ValueError, match="three"):
        list(executor.run(fail_on_three, range(5), "cpu"))


def test_the_serial_executor_keeps_order_and_runs_in_this_thread() -> None:
    with SerialExecutor(install, ("serial",)) as executor:
        results = list(executor.run(where, range(5), "cpu"))
    assert [r[0] for r in results] == [0, 1, 2, 3, 4]
    assert {(r[1], r[3]) for r in results} == {(os.getpid(), "serial")}


def dies_on_three(unit: int) -> int:
    if unit == 3:
        os._exit(1)  # what an out-of-memory kill or a segfault in a C parser looks like
    return unit


def test_a_worker_that_dies_costs_only_its_own_unit() -> None:
    with LocalExecutor(cpu_workers=2) as executor:
        results = list(executor.run(dies_on_three, range(10), "cpu", on_crash=lambda unit, problem: -unit))
    assert sorted(results) == [-3, 0, 1, 2, 4, 5, 6, 7, 8, 9]


def test_without_a_crash_handler_a_dead_worker_is_an_error() -> None:
    from concurrent.futures import BrokenExecutor

    with LocalExecutor(cpu_workers=2) as executor, pytest.raises(BrokenExecutor):
        list(executor.run(dies_on_three, range(10), "cpu"))
