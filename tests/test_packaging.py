"""The Dockerfile and the pre-commit hooks run real govscan commands, with options that exist.

Nothing is built here (docker may be absent): the files are parsed, and every govscan command
line they run — the image's ENTRYPOINT and CMD, ``govscan`` calls in RUN steps, the ``docker run``
examples in its comments, each hook's entry and args — is parsed by govscan's own click tree, so a
renamed command or a misspelt option fails this test instead of a user's CI job.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import shlex
import tomllib
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
import yaml

from .conftest import parse_as_govscan

ROOT = Path(__file__).resolve().parents[1]
DOCKERFILE = ROOT / "Dockerfile"
HOOKS = ROOT / ".pre-commit-hooks.yaml"
IMAGE = "govscan"  # the tag the Dockerfile's comments build (docker build -t govscan .)


def instructions(text: str) -> list[tuple[str, str]]:
    """(KEYWORD, arguments) of each Dockerfile instruction, continuation lines joined."""
    joined = re.sub(r"\\\n(?:\s*#[^\n]*\n)*", " ", text)
    found = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            found.append((keyword.upper(), rest.strip()))
    return found


def exec_form(arguments: str) -> list[str]:
    """An ENTRYPOINT/CMD in exec (JSON) form; the shell form would break signal handling and args."""
    value = json.loads(arguments)
    assert isinstance(value, list) and all(isinstance(v, str) for v in value), arguments
    return value


def govscan_calls_in_shell(script: str) -> Iterator[list[str]]:
    """The arguments of every ``govscan …`` command in a shell line (``a && govscan x; b``)."""
    for command in re.split(r"&&|\|\||;|\|", script):
        words = shlex.split(command)
        if words and words[0] == "govscan":
            yield words[1:]


def docker_run_examples(text: str) -> Iterator[list[str]]:
    """The govscan arguments of each ``docker run … govscan ARGS`` example in the comments."""
    for line in text.splitlines():
        match = re.match(r"#\s+docker run (.*)$", line.strip())
        if match:
            words = shlex.split(match.group(1))
            yield words[words.index(IMAGE) + 1 :]


def is_real_govscan_command(args: list[str]) -> bool:
    try:
        with contextlib.redirect_stdout(io.StringIO()):  # --help and --version print as they parse
            parse_as_govscan(args)
    except click.exceptions.Exit as stop:  # --help / --version: parsed, then the program would stop
        return stop.exit_code == 0
    return True


def hooks() -> list[dict]:
    return yaml.safe_load(HOOKS.read_text(encoding="utf-8"))


# --- the resolver itself: it must be able to say no ----------------------------------------------------


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["check", "--fail-onn", "high", "a.csv"], click.NoSuchOption),
        (["chek", "a.csv"], click.UsageError),
        (["check", "--format", "sarf", "a.csv"], click.BadParameter),
        (["findings", "lst"], click.UsageError),
        (["check"], click.MissingParameter),
    ],
)
def test_a_misspelt_command_option_or_value_is_refused(args: list[str], error: type[Exception]) -> None:
    with pytest.raises(error):
        parse_as_govscan(args)


def test_real_command_lines_are_accepted() -> None:
    assert is_real_govscan_command(["check", "--fail-on", "medium", "--format", "sarif", "-o", "x.sarif", "data/"])
    assert is_real_govscan_command(["findings", "list", "--help"])
    assert is_real_govscan_command(["--version"])


# --- the Dockerfile ----------------------------------------------------------------------------------


def test_the_image_runs_govscan_in_scan_as_a_user_that_is_not_root() -> None:
    steps = instructions(DOCKERFILE.read_text(encoding="utf-8"))
    first = {keyword: rest for keyword, rest in reversed(steps)}  # the first of each keyword
    last = dict(steps)
    assert re.fullmatch(r"python:3\.1[1-9]-slim(-\w+)?", first["FROM"])
    assert exec_form(last["ENTRYPOINT"]) == ["govscan"]
    assert last["WORKDIR"] == "/scan"
    keywords = [keyword for keyword, _ in steps]
    last_user = len(keywords) - 1 - keywords[::-1].index("USER")
    assert last["USER"] not in ("root", "0") and last_user < keywords.index("ENTRYPOINT")


def test_every_govscan_command_the_dockerfile_runs_is_real() -> None:
    text = DOCKERFILE.read_text(encoding="utf-8")
    steps = instructions(text)
    last = dict(steps)
    command_lines = [exec_form(last["CMD"])]  # what `docker run govscan` runs without arguments
    command_lines += [args for keyword, rest in steps if keyword == "RUN" for args in govscan_calls_in_shell(rest)]
    examples = list(docker_run_examples(text))
    assert examples, "the Dockerfile shows how to run the image"
    for args in command_lines + examples:
        assert is_real_govscan_command(args), args


def test_the_image_installs_the_source_tree_with_extras_pyproject_defines() -> None:
    runs = " ".join(rest for keyword, rest in instructions(DOCKERFILE.read_text(encoding="utf-8")) if keyword == "RUN")
    extras = re.search(r"pip install \"?/[\w./-]+\[([\w,-]+)\]\"?", runs)
    assert extras, "govscan is installed from the copied source tree, with extras"
    defined = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["optional-dependencies"]
    wanted = extras.group(1).split(",")
    assert "postgres" in wanted and set(wanted) <= set(defined)


def test_the_image_has_the_debian_packages_govscan_calls() -> None:
    from govscan.testing.pdfs import FONT_PACKAGE

    runs = " ".join(rest for keyword, rest in instructions(DOCKERFILE.read_text(encoding="utf-8")) if keyword == "RUN")
    install = re.search(r"apt-get install ([^&]+)", runs)
    assert install
    packages = {word for word in install.group(1).split() if not word.startswith("-")}
    # Tesseract with the languages OCR asks for, the two .doc converters, a Cyrillic font
    assert {"tesseract-ocr", "tesseract-ocr-rus", "tesseract-ocr-kaz", "antiword", "catdoc", FONT_PACKAGE} <= packages
    assert not {p for p in packages if p.startswith(("libpq", "postgresql"))}  # psycopg[binary] brings its own


# --- the pre-commit hooks ----------------------------------------------------------------------------


def test_every_hook_runs_a_real_govscan_command_on_the_files_it_is_given(tmp_path: Path) -> None:
    data_file = tmp_path / "recipients.csv"  # pre-commit appends the staged file names
    data_file.write_text("a\n", encoding="utf-8")
    by_language = {hook["language"]: hook for hook in hooks()}
    assert {"python", "docker"} <= by_language.keys()
    for hook in hooks():
        program, *args = shlex.split(hook["entry"])
        assert program == "govscan", hook["id"]  # python: the console script; docker: run inside the image
        assert is_real_govscan_command([*args, *hook.get("args", []), str(data_file)]), hook["id"]


def test_the_hooks_look_at_the_data_formats_govscan_reads_and_not_at_code() -> None:
    from govscan.readers import builtin_formats

    readable = {extension for fmt in builtin_formats() for extension in fmt.extensions}
    for hook in hooks():
        pattern = re.compile(hook["files"])
        alternatives = re.search(r"\\\.\((.*)\)\$", hook["files"])
        assert alternatives, hook["id"]
        for extension in alternatives.group(1).split("|"):
            plain = extension.replace("?", "")  # html? jpe?g tiff? → both spellings are readable
            assert f".{plain}" in readable and f".{re.sub(r'.[?]', '', extension)}" in readable, extension
        for name in ("publish/Получатели 2024.CSV", "a/list.xlsx", "scan.pdf", "decision.docx", "api.json"):
            assert pattern.search(name), (hook["id"], name)
        for name in ("govscan/cli/check.py", "README.md", "Dockerfile", ".pre-commit-hooks.yaml"):
            assert not pattern.search(name), (hook["id"], name)


# --- README's recipes for CI and pre-commit --------------------------------------------------------


def readme_block(first_line: str) -> str:
    """The fenced block of README.md whose first line starts with ``first_line``."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(rf"```\w*\n({re.escape(first_line)}.*?)```", text, re.S)
    assert match, first_line
    return match.group(1)


def test_the_readme_installs_from_the_repository_not_from_a_release_that_does_not_exist() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "pip install govscan" not in text and "rev: v0" not in text
    assert "docker build -t govscan ." in text


def test_the_readme_pipeline_recipes_run_real_govscan_commands() -> None:
    commands = readme_block("docker build").splitlines()
    gitlab = yaml.safe_load(readme_block("# .gitlab-ci.yml"))
    commands += [line for job in gitlab.values() for line in job["script"]]
    github = yaml.safe_load(readme_block("# GitHub Actions"))
    commands += [step["run"] for step in github if "run" in step]
    calls = [shlex.split(line, comments=True) for line in commands if re.match(r"(docker run|govscan) ", line)]
    assert len(calls) >= 3
    for words in calls:
        image = next(i for i, word in enumerate(words) if word == IMAGE or word.endswith("/govscan"))
        assert is_real_govscan_command(words[image + 1 :]), words


def test_the_readme_pre_commit_recipe_uses_hooks_this_repository_defines(tmp_path: Path) -> None:
    block = readme_block("# .pre-commit-config.yaml")
    ids = {hook["id"] for hook in hooks()}
    assert set(re.findall(r"- id: (\S+)", block)) <= ids
    assert all(re.fullmatch(r"[0-9a-f]{40}", rev) for rev in re.findall(r"rev: (\S+)", block))  # a commit, no tag
    (local,) = yaml.safe_load(block)["repos"]  # the commented-out remote form is the alternative
    data_file = tmp_path / "list.csv"
    data_file.write_text("a\n", encoding="utf-8")
    for hook in local["hooks"]:
        program, *args = shlex.split(hook["entry"])
        assert program == "govscan" and is_real_govscan_command([*args, *hook.get("args", []), str(data_file)])
