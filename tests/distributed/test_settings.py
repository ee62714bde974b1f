"""The broker a scan and a worker use: Redis, said so in one line when it is not.

Specification: govscan's distributed scans keep more than the queue in the broker — results,
worker heartbeats and claims, the cross-worker politeness and shared robots.txt all live in Redis
— so a RabbitMQ (``amqp://``) or any other URL is refused in one line naming it (password hidden)
by ``govscan worker`` and ``govscan scan --executor celery``, instead of a traceback or a worker
retrying forever.
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner

pytest.importorskip("celery", reason="celery is not installed (pip install 'govscan[distributed]')")

from govscan.cli import cli  # noqa: E402
from govscan.distributed import settings  # noqa: E402
from govscan.errors import InputError  # noqa: E402

REFUSAL = (
    "broker amqp://guest:***@rabbit:5672/: govscan's distributed scans need a Redis broker "
    "(redis:// or rediss://): results, worker heartbeats and the shared per-host limits live in it; "
    "RabbitMQ is not supported"
)


@pytest.mark.parametrize("url", ["redis://127.0.0.1:6379/0", "rediss://:pw@queue.internal:6380/1"])
def test_a_redis_url_is_the_broker(url: str) -> None:
    assert settings.broker_url(url) == url


def test_a_rabbitmq_url_is_refused_in_one_line_without_its_password() -> None:
    with pytest.raises(InputError) as refused:
        settings.broker_url("amqp://guest:secret@rabbit:5672/")
    assert str(refused.value) == REFUSAL


def test_the_worker_and_the_scan_refuse_it_before_starting(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("GOVSCAN_SECRET", "test-secret-0f3a9c2e7b5d4816-not-for-production")
    config = tmp_path / "scan.yaml"
    config.write_text(f"name: x\ntargets:\n  - name: files\n    datasets: ['{tmp_path}/*.csv']\n")
    runner = CliRunner()
    for args in (
        ["worker", "--broker", "amqp://guest:secret@rabbit:5672/"],
        ["scan", str(config), "--db", f"sqlite:///{tmp_path / 'x.db'}", "--executor", "celery",
         "--broker", "amqp://guest:secret@rabbit:5672/"],
    ):  # fmt: skip
        result = runner.invoke(cli, args)
        assert result.exit_code == 2, result.output
        shown = REFUSAL.replace("guest:***@", "")  # the printed line drops the user too (redact.public_uri)
        assert result.stderr.strip().splitlines() == [f"govscan: error: {shown}"], result.stderr
