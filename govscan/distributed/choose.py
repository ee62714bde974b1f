"""The executor a scan runs on, by name: ``local`` (this machine's pools) or ``celery`` (workers)."""

from __future__ import annotations

from typing import Literal

from govscan.engine.steps import install
from govscan.engine.units import WorkContext
from govscan.executors import Executor, LocalExecutor, SerialExecutor

EXECUTORS = ("local", "celery")
ExecutorName = Literal["local", "celery"]


def executor_for(name: str, context: WorkContext, *, jobs: int | None = None, broker: str | None = None) -> Executor:
    """``jobs`` sizes the local process pool (1: everything in this process); ``broker`` is Celery's."""
    if name == "celery":
        try:
            from govscan.distributed.executor import CeleryExecutor
        except ImportError as exc:
            from govscan.errors import InputError

            raise InputError(
                f"--executor celery needs the distributed extra ({exc.name} is missing): "
                "pip install 'govscan[distributed]'"
            ) from None
        return CeleryExecutor(context, broker)
    if jobs == 1:
        return SerialExecutor(install, (context,))
    return LocalExecutor(cpu_workers=jobs, initializer=install, initargs=(context,))
