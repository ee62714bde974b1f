"""The fingerprint key: a guessable key is refused, the key file is created once and whole, and
every problem with it is one line naming the file or variable, exit 2, never a traceback.

Tests run as root, where ``chmod 000`` does not stop a read: an unreadable key file is simulated
by making ``os.open`` refuse it (the call govscan reads the key with); a directory or a file where
a directory belongs are real.
"""

from __future__ import annotations

import multiprocessing
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from govscan.cli import cli
from govscan.identity import key_id, load_secret, secret_path

STRONG = "5f0c2a9e7b3d41c8a6e2f9b07d3c1a58"  # 32 hex characters: 128 random bits


@pytest.fixture
def no_env_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GOVSCAN_SECRET")
    monkeypatch.delenv("GOVSCAN_FINGERPRINT_KEY", raising=False)


def check(tmp_path: Path) -> Result:
    data = tmp_path / "list.csv"
    data.write_text("ФИО,ИИН\nИванов Иван Иванович,900101300017\n", encoding="utf-8")
    return CliRunner().invoke(cli, ["check", "--no-progress", "--no-ner", str(data)], catch_exceptions=False)


def the_one_error(result: Result) -> str:
    assert result.exit_code == 2, (result.exit_code, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    assert result.stdout == ""  # nothing was scanned with a key that cannot be trusted
    errors = [line for line in result.stderr.splitlines() if "error" in line.lower()]
    assert len(errors) == 1, result.stderr
    return errors[0]


def write_key_file(content: str, mode: int = 0o600) -> Path:
    path = secret_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content, encoding="utf-8")
    path.chmod(mode)
    return path


@pytest.mark.parametrize(
    "content",
    ["", "   \n", "\n\t \n", "test-secret\n", "0123456789abcdef0123456789abcde\n", "ab" * 40 + "\n"],
    ids=["empty", "spaces", "blank-lines", "short", "one-short-of-32", "two-characters-repeated"],
)
def test_a_guessable_key_file_is_refused_in_one_line_naming_it(no_env_key: None, tmp_path: Path, content: str) -> None:
    path = write_key_file(content)
    line = the_one_error(check(tmp_path))
    assert str(path) in line
    assert content.strip() == "" or content.strip() not in line  # the key itself is never echoed


@pytest.mark.parametrize(
    "value", ["", "   ", "test-secret", "x" * 64], ids=["empty", "whitespace", "short", "one-character"]
)
def test_a_guessable_key_in_the_environment_is_refused_in_one_line_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, value: str
) -> None:
    monkeypatch.setenv("GOVSCAN_SECRET", value)
    line = the_one_error(check(tmp_path))
    assert "GOVSCAN_SECRET" in line
    assert value.strip() == "" or value not in line
    assert not secret_path().exists()  # an empty variable does not fall back to a fresh, unshared key file


def test_the_same_key_from_a_file_or_the_environment_is_the_same_key(
    no_env_key: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_key_file(STRONG + "\n")
    from_file = load_secret()
    monkeypatch.setenv("GOVSCAN_SECRET", STRONG + "\n")  # a CI secret pasted with its newline
    assert load_secret() == from_file == STRONG.encode()


def test_a_key_file_others_can_read_is_used_with_a_one_line_warning(no_env_key: None, tmp_path: Path) -> None:
    path = write_key_file(STRONG + "\n", mode=0o644)
    result = check(tmp_path)
    assert result.exit_code == 1  # the scan itself runs: the key is sound, only exposed
    warnings = [line for line in result.stderr.splitlines() if "warning" in line]
    assert len(warnings) == 1, result.stderr
    assert str(path) in warnings[0] and "0644" in warnings[0] and "chmod 600" in warnings[0]

    path.chmod(0o600)
    assert "warning" not in check(tmp_path).stderr


def test_a_key_path_that_is_a_directory_is_one_line(no_env_key: None, tmp_path: Path) -> None:
    secret_path().mkdir(parents=True)
    line = the_one_error(check(tmp_path))
    assert str(secret_path()) in line and "directory" in line


def test_a_govscan_home_that_is_a_file_is_one_line(
    no_env_key: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    home = tmp_path / "govscan-home"
    home.write_text("not a directory\n", encoding="utf-8")
    monkeypatch.setenv("GOVSCAN_HOME", str(home))
    line = the_one_error(check(tmp_path))
    assert str(home) in line and "not a directory" in line


def test_a_dangling_symlink_as_key_file_is_one_line(no_env_key: None, tmp_path: Path) -> None:
    secret_path().parent.mkdir(parents=True, exist_ok=True)
    secret_path().symlink_to(tmp_path / "mounted-secret-that-is-gone")
    line = the_one_error(check(tmp_path))
    assert str(secret_path()) in line


def test_an_unreadable_key_file_is_one_line(no_env_key: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    path = write_key_file(STRONG + "\n", mode=0)
    real_open = os.open

    def refusing(file: str | os.PathLike[str], flags: int, *args: int, **kwargs: object) -> int:
        if os.fspath(file) == str(path):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(file, flags, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", refusing)
    line = the_one_error(check(tmp_path))
    assert str(path) in line and "permission denied" in line.lower()


def test_a_first_run_that_loses_the_race_uses_the_winners_key(
    no_env_key: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Another process creates the key file between this one finding none and writing its own."""
    import secrets

    real_token_hex = secrets.token_hex

    def other_process_wins(nbytes: int | None = None) -> str:
        path = secret_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            path.write_text(STRONG + "\n", encoding="utf-8")
            path.chmod(0o600)
        return real_token_hex(nbytes)

    monkeypatch.setattr(secrets, "token_hex", other_process_wins)
    result = check(tmp_path)
    assert result.exit_code == 1 and "Traceback" not in result.stderr, result.stderr
    assert load_secret() == STRONG.encode()
    assert [p.name for p in secret_path().parent.iterdir()] == ["secret"]  # no temporary file left


def _first_run(barrier: multiprocessing.synchronize.Barrier, queue: multiprocessing.Queue) -> None:
    barrier.wait()
    queue.put(load_secret())


def test_first_runs_racing_end_with_one_key_they_all_use(no_env_key: None) -> None:
    context = multiprocessing.get_context("fork")
    for _ in range(5):
        secret_path().unlink(missing_ok=True)
        barrier, queue = context.Barrier(4), context.Queue()
        runs = [context.Process(target=_first_run, args=(barrier, queue)) for _ in range(4)]
        for run in runs:
            run.start()
        keys = {queue.get(timeout=30) for _ in runs}
        for run in runs:
            run.join(timeout=30)
            assert run.exitcode == 0
        assert keys == {secret_path().read_bytes().strip()}
        assert stat.S_IMODE(secret_path().stat().st_mode) == 0o600


def test_a_first_run_killed_while_writing_the_key_leaves_no_empty_key_file(no_env_key: None) -> None:
    """kill -9 in the middle of writing the new key: the next run must not find an empty key."""
    killed_mid_write = (
        "import os, signal\n"
        "real = os.fdopen\n"
        "class Dying:\n"
        "    def __init__(self, handle): self.handle = handle\n"
        "    def __enter__(self): return self\n"
        "    def __exit__(self, *exc): self.handle.close()\n"
        "    def write(self, data): os.kill(os.getpid(), signal.SIGKILL)\n"
        "os.fdopen = lambda fd, *a, **k: Dying(real(fd, *a, **k))\n"
        "from govscan.identity import load_secret\n"
        "load_secret()\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "GOVSCAN_SECRET"}
    done = subprocess.run([sys.executable, "-c", killed_mid_write], env=env, capture_output=True, timeout=60)
    assert done.returncode == -9, done.stderr
    assert not secret_path().exists()
    key = load_secret()
    assert len(key) == 64 and secret_path().read_bytes().strip() == key


def test_the_created_key_is_long_random_and_named_by_a_public_id(no_env_key: None) -> None:
    from govscan.identity import MIN_KEY_LENGTH

    key = load_secret()
    assert len(key) >= MIN_KEY_LENGTH and len(set(key)) > 8
    assert key.decode() not in key_id(key)
