"""What a worker writes to its log: public text only, and one line for a message it refuses.

Celery's worker logs whatever its libraries log — at ``--loglevel debug`` urllib3 writes each
request line (``"GET /spravka_<IIN>.csv HTTP/1.1" 200``), a traceback quotes a path — so every
handler Celery sets up formats through ``PublicFormatter``: each line masked and neutralised like
any line govscan prints (``redact.terminal_text``).

A message govscan's tasks cannot take (pickle or YAML content, an unknown task, a body that does
not decode) is refused by Celery before anything is deserialised; ``Consumer`` says so in one line
naming the task and the message id, where Celery would dump the message body and a traceback.
"""

from __future__ import annotations

import logging
from typing import Any

from celery import signals
from celery.worker.consumer import Consumer as CeleryConsumer

from govscan.redact import clip, terminal_text

log = logging.getLogger("govscan.worker")


class PublicFormatter(logging.Formatter):
    """``inner``'s output with every line made public (identifiers masked, controls shown escaped)."""

    def __init__(self, inner: logging.Formatter | None) -> None:
        super().__init__()
        self.inner = inner or logging.Formatter()

    def format(self, record: logging.LogRecord) -> str:
        return terminal_text(self.inner.format(record))


def make_public(*loggers: logging.Logger) -> None:
    """Every handler of ``loggers`` formats through ``PublicFormatter`` (once); warnings are logged too."""
    logging.captureWarnings(True)  # a library's warnings.warn(...) goes through the same handlers
    for logger in loggers:
        for handler in logger.handlers:
            if not isinstance(handler.formatter, PublicFormatter):
                handler.setFormatter(PublicFormatter(handler.formatter))


class Consumer(CeleryConsumer):
    """Celery's consumer (``worker_consumer``), refusing what govscan's tasks cannot take in one line."""

    def on_invalid_task(self, body: Any, message: Any, exc: Exception) -> None:
        """Pickle, YAML or any content but JSON (``accept_content``): refused before it is deserialised."""
        _refused(message, f"{exc}; only JSON is accepted")
        message.reject_log_error(log, self.connection_errors)
        signals.task_rejected.send(sender=self, message=message, exc=exc)

    def on_unknown_task(self, body: Any, message: Any, exc: Exception) -> None:
        """A task name govscan does not run; nobody waits for it, so no failure result is stored."""
        _refused(message, "govscan workers run only govscan.read_dataset, govscan.audit_tls, govscan.audit_site")
        message.reject_log_error(log, self.connection_errors)
        signals.task_rejected.send(sender=self, message=message, exc=exc)

    def on_unknown_message(self, body: Any, message: Any) -> None:
        _refused(message, "not a task message")
        message.reject_log_error(log, self.connection_errors)
        signals.task_rejected.send(sender=self, message=message, exc=None)

    def on_decode_error(self, message: Any, exc: Exception) -> None:
        _refused(message, f"its body does not decode ({type(exc).__name__})")
        message.ack()


def _refused(message: Any, why: str) -> None:
    headers = getattr(message, "headers", None)
    headers = headers if isinstance(headers, dict) else {}
    task, task_id = clip(str(headers.get("task")), 80), clip(str(headers.get("id")), 80)
    log.error("refused a message for task %s [%s]: %s; discarded", task, task_id, why)
