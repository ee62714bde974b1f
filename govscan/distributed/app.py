"""govscan's Celery application: the tasks workers run and how messages are handled.

``celery -A govscan.distributed.app inspect active`` (and Flower) work against it; the broker is
``$GOVSCAN_BROKER`` (``govscan worker --broker`` sets it). JSON only, for tasks and results;
``acks_late`` + ``reject_on_worker_lost`` so a unit whose process dies goes back to the queue;
prefetch 1 so a long portal crawl does not hold units other workers could run; a visibility
timeout above the longest unit; soft and hard time limits per task (``settings.TIME_LIMITS``).
"""

from __future__ import annotations

from typing import Any

from celery import Celery
from kombu import Exchange, Queue

from govscan.distributed import settings

JSON = ["json"]


def make_app(broker: str | None = None) -> Celery:
    """A Celery app on ``broker`` (Redis: it is also the result backend) with govscan's settings."""
    url = settings.broker_url(broker)
    app = Celery("govscan", broker=url, backend=url, set_as_current=False)
    app.conf.update(
        task_serializer="json",
        result_serializer="json",
        event_serializer="json",
        accept_content=JSON,
        result_accept_content=JSON,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_queues=[Queue(name, Exchange(name), routing_key=name) for name in settings.QUEUES],
        task_default_queue="io",
        broker_transport_options={"visibility_timeout": settings.VISIBILITY_TIMEOUT},
        result_backend_transport_options={"visibility_timeout": settings.VISIBILITY_TIMEOUT},
        result_expires=24 * 3600,  # the coordinator deletes what it reads; this bounds what nobody read
        broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=True,
        worker_log_format="%(asctime)s govscan worker: %(levelname)s %(message)s",
        worker_task_log_format="%(asctime)s govscan worker: %(levelname)s %(task_name)s[%(task_id)s] %(message)s",
        worker_redirect_stdouts=False,
        worker_consumer="govscan.distributed.logs:Consumer",  # a refused message is one line, not a body dump
    )
    return app


app = make_app()


def _define(name: str, soft: float, hard: float) -> None:
    @app.task(name=name, bind=True, soft_time_limit=soft, time_limit=hard)
    def run(self: Any, message: dict[str, Any]) -> dict[str, Any]:
        from govscan.distributed.runtime import run_message

        return run_message(self.app, message, str(self.request.hostname or "worker"), soft)


for _name, (_soft, _hard) in settings.time_limits().items():
    _define(_name, _soft, _hard)

from govscan.distributed import signals  # noqa: E402,F401  - the worker's hooks (heartbeat, claims, process init)
