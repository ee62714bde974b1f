"""Where work units run: one interface, so a distributed engine can replace the local pools."""

from govscan.executors.base import Executor, WorkKind
from govscan.executors.local import LocalExecutor, SerialExecutor

__all__ = ["Executor", "LocalExecutor", "SerialExecutor", "WorkKind"]
