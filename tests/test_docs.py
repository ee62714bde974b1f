"""README opens with the two set-up commands, and CI runs the second one verbatim."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import click
from click.testing import CliRunner

from govscan.cli import cli

ROOT = Path(__file__).resolve().parents[1]


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    first_block = re.search(r"```(?:bash|sh)?\n(.*?)```", text, re.S)
    assert first_block and text.lstrip().startswith("# govscan"), "README must open with its set-up commands"
    assert text.index(first_block.group(0)) < text.index("\n## "), "the commands come before any section"
    return [line for line in first_block.group(1).splitlines() if line.strip()]


def test_readme_opens_with_exactly_two_commands_demo_then_tests() -> None:
    demo, tests = readme_commands()
    assert demo.endswith("govscan demo")
    assert "pytest" in tests


def test_ci_runs_the_readme_test_command() -> None:
    _, tests = readme_commands()
    assert tests in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def every_command(group: click.Group, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], click.Command]]:
    """The whole click tree, depth first: the root, every group and every leaf command."""
    yield path, group
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            yield from every_command(command, (*path, name))
        else:
            yield (*path, name), command


def test_every_command_has_help() -> None:
    commands = dict(every_command(cli))
    assert {("findings", "triage"), ("scans", "list"), ("rules", "show"), ("crawl",)} <= commands.keys()
    for path, command in commands.items():
        name = " ".join(("govscan", *path))
        assert (command.help or "").strip(), f"{name} has no help text"
        for option in command.params:
            if isinstance(option, click.Option) and not option.hidden:
                assert (option.help or "").strip(), f"{name} {option.opts[0]} has no help text"
        result = CliRunner().invoke(cli, [*path, "--help"])
        assert result.exit_code == 0 and "Usage" in result.output, name


def test_ci_lints_before_it_tests() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    _, tests = readme_commands()
    lines = [line.strip() for line in ci.splitlines()]
    assert "ruff check ." in lines and "ruff format --check ." in lines
    assert ci.index("ruff check .") < ci.index("ruff format --check .") < ci.index(tests)


def test_examples_folder_holds_the_bundled_demo_data() -> None:
    names = {p.suffix for p in (ROOT / "examples").iterdir()}
    assert {".csv", ".json", ".xlsx", ".zip", ".html"} <= names


def test_the_readme_rule_example_is_a_valid_rule() -> None:
    import yaml

    from govscan.rules.spec import RuleSpec

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    example = re.search(r"```yaml\n# rules/exposure/[^\n]+\n(.*?)```", text, re.S)
    assert example
    rule = RuleSpec.model_validate(yaml.safe_load(example.group(1)))
    assert rule.kind == "exposure" and rule.exposure is not None


def test_the_pre_commit_hook_runs_the_gate_on_data_files() -> None:
    import yaml

    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    hook = next(h for h in hooks if h["id"] == "govscan")
    assert hook["entry"].startswith("govscan check")
    assert re.search(hook["files"], "publish/recipients.csv") and not re.search(hook["files"], "src/app.py")
