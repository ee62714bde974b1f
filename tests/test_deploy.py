"""deploy/ runs real govscan commands with real options (nothing is built or started here).

The compose file's govscan services (the image's ``govscan`` entrypoint plus their command, or the
``govscan …`` lines of a shell script) and the systemd unit's ExecStart are parsed by govscan's own
click tree, so a renamed command or a misspelt option fails here instead of at 01:00 on a server.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import shlex
from pathlib import Path

import click
import pytest
import yaml

from govscan.config import load_config

from .conftest import parse_as_govscan

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"


def image_entrypoint() -> list[str]:
    for line in (ROOT / "Dockerfile").read_text(encoding="utf-8").splitlines():
        if line.startswith("ENTRYPOINT "):
            return list(json.loads(line.removeprefix("ENTRYPOINT ")))
    raise AssertionError("the Dockerfile has no ENTRYPOINT")


def compose() -> dict:
    return yaml.safe_load((DEPLOY / "docker-compose.yaml").read_text(encoding="utf-8"))


def govscan_runs(service: dict) -> list[list[str]]:
    """Every govscan argument list a compose service runs."""
    entrypoint = service.get("entrypoint", image_entrypoint())
    command = service.get("command", [])
    if entrypoint == ["govscan"]:
        return [list(command)]
    assert entrypoint == ["/bin/sh", "-c"], entrypoint
    script = " ".join(command).replace("$$", "$")  # compose's escape for a literal $
    runs = []
    for part in re.split(r"&&|\|\||;|\|", script):
        words = shlex.split(part)
        if words and words[0] == "govscan":
            runs.append(words[1:])
    return runs


def test_the_parser_says_no_to_what_govscan_would_refuse() -> None:
    for wrong in (["worker", "--queus", "io"], ["scan", "x.yaml", "--executor", "dask"], ["wroker"]):
        with pytest.raises(click.UsageError):
            parse_as_govscan(wrong)


def test_every_govscan_command_in_the_compose_file_is_real() -> None:
    services = compose()["services"]
    assert {"redis", "postgres", "worker", "scheduler"} <= set(services)
    runs = {name: govscan_runs(s) for name, s in services.items() if s.get("build") == ".."}
    assert set(runs) == {"worker", "scheduler"}
    assert (ROOT / "Dockerfile").is_file()  # build: .. is the repository's own Dockerfile
    for name, commands in runs.items():
        assert commands, f"{name} runs no govscan command"
        for args in commands:
            with contextlib.redirect_stdout(io.StringIO()):
                ctx = parse_as_govscan(args)
            assert ctx.command.name == {"worker": "worker", "scheduler": "scan"}[name]
            if name == "scheduler":
                assert ctx.params["executor_name"] == "celery" and ctx.params["resume"]


def test_the_workers_and_the_scheduler_share_broker_database_and_key() -> None:
    services = compose()["services"]
    for name in ("worker", "scheduler"):
        env = services[name]["environment"]
        assert env["GOVSCAN_BROKER"] == "redis://redis:6379/0"
        assert env["GOVSCAN_DB"].startswith("postgresql+psycopg://") and "@postgres:5432/" in env["GOVSCAN_DB"]
        assert env["GOVSCAN_SECRET"].startswith("${GOVSCAN_SECRET:?")  # required, never a default key
    assert services["worker"]["deploy"]["replicas"] >= 2


def test_the_example_scan_config_is_valid_and_runs_on_celery() -> None:
    config = load_config(DEPLOY / "scan.example.yaml")
    assert config.executor == "celery" and config.targets


def test_the_systemd_unit_runs_a_real_worker_command() -> None:
    unit = (DEPLOY / "systemd" / "govscan-worker.service").read_text(encoding="utf-8")
    (start,) = re.findall(r"^ExecStart=(.*)$", unit, flags=re.MULTILINE)
    words = shlex.split(start)
    assert words[0].endswith("/govscan")
    assert parse_as_govscan(words[1:]).command.name == "worker"
    assert "Restart=always" in unit.splitlines()
