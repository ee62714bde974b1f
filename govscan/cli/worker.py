"""``govscan worker``: run the units of distributed scans (``govscan scan --executor celery``)."""

from __future__ import annotations

import os

import click

from govscan.errors import InputError


@click.command()
@click.option("--queues", default="io,cpu", show_default=True, metavar="LIST",
              help="Queues to take units from: io (network: URLs, TLS, portals), cpu (parsing files).")  # fmt: skip
@click.option("--concurrency", type=click.IntRange(min=1), metavar="N",
              help="Worker processes (default: one per core; network-bound io workers can take more).")  # fmt: skip
@click.option(
    "--broker", metavar="URL", help="Redis broker URL (default: $GOVSCAN_BROKER, else redis://127.0.0.1:6379/0)."
)
@click.option("--loglevel", type=click.Choice(["debug", "info", "warning", "error"]), default="info",
              show_default=True, help="How much the worker logs (units are logged by task id, never by name).")  # fmt: skip
def worker(queues: str, concurrency: int | None, broker: str | None, loglevel: str) -> None:
    """Take units of distributed scans from the broker and run them, until stopped (Celery worker).

    Every worker loads its own rules and fingerprint key (GOVSCAN_SECRET or the key file, the same as
    the coordinator's) and refuses units of another key, rule set or govscan version.
    """
    from govscan.distributed import settings

    chosen = [q.strip() for q in queues.split(",") if q.strip()]
    unknown = sorted(set(chosen) - set(settings.QUEUES))
    if not chosen or unknown:
        raise InputError(f"--queues: {', '.join(unknown) or 'none given'}; choose among {', '.join(settings.QUEUES)}")
    url = settings.broker_url(broker)
    os.environ[settings.BROKER_ENV] = url  # the app reads it when imported; pool processes inherit it
    try:
        from govscan.distributed.app import app
        from govscan.distributed.runtime import load
    except ImportError as exc:
        raise InputError(f"govscan worker needs the distributed extra ({exc.name} is missing): "
                         "pip install 'govscan[distributed]'") from None  # fmt: skip
    load()  # a missing key or a broken rule file is one line now, not a crash in every pool process
    app.conf.update(broker_url=url, result_backend=url)
    argv = ["--quiet", "worker", "--queues", ",".join(chosen), "--loglevel", loglevel.upper()]  # no banner
    argv += ["--hostname", f"govscan-{os.getpid()}@%h", "--without-gossip", "--without-mingle"]
    if concurrency:
        argv += ["--concurrency", str(concurrency)]
    app.worker_main(argv)
