"""Shared fixtures: an isolated fingerprint key, no installed plugins, paths to shared material."""

from __future__ import annotations

from pathlib import Path

import click
import pytest

SHARED = Path(__file__).resolve().parents[2] / "shared"
CORPUS = SHARED / "corpus"
# Vendored (OASIS, errata 01) so that SARIF validation runs in every clone, not only beside ../shared.
SARIF_SCHEMA = Path(__file__).resolve().parent / "report" / "sarif-schema-2.1.0.json"

# DESIGN.md's JSON contract: the keys of one finding and of its location.
CONTRACT_FINDING_KEYS = frozenset(
    {
        "rule_id",
        "entity",
        "severity",
        "title",
        "location",
        "count",
        "evidence",
        "confidence",
        "fingerprint",
        "compliance",
    }
)
CONTRACT_LOCATION_KEYS = frozenset({"uri", "sheet", "column", "column_index", "json_path", "line", "page", "part"})


@pytest.fixture
def fresh_plugins():
    """The plugin registry rebuilt for this test (entry points read again) and forgotten after it."""
    from govscan import plugins

    plugins.reset()
    yield plugins
    plugins.reset()


@pytest.fixture(autouse=True)
def _isolated_environment(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test gets its own key and config home, and sees no third-party rule packs."""
    home = tmp_path_factory.mktemp("govscan-home")
    monkeypatch.setenv("GOVSCAN_HOME", str(home))
    monkeypatch.setenv("GOVSCAN_SECRET", "test-secret-0f3a9c2e7b5d4816-not-for-production")
    monkeypatch.setenv("GOVSCAN_LOAD_PLUGINS", "")
    monkeypatch.setenv("NO_COLOR", "1")


def parse_as_govscan(args: list[str]) -> click.Context:  # shared by the packaging and deploy tests
    """Parse ``govscan ARGS`` as the CLI would, down to the leaf command; raise click's error if not.

    Options are parsed and converted (choices, ranges) but no command runs. ``--help`` ends the walk
    as it ends the program, after everything before it was parsed.
    """
    from govscan.cli import cli

    ctx = cli.make_context("govscan", list(args))
    command: click.Command = cli
    while isinstance(command, click.Group):
        rest = [*getattr(ctx, "_protected_args", []), *ctx.args]
        if not rest:
            break
        name, sub, rest = command.resolve_command(ctx, rest)
        assert sub is not None and name is not None
        command = sub
        ctx = command.make_context(name, rest, parent=ctx)
    return ctx
