"""Every line a govscan command prints goes through one sanitiser, whoever printed it.

The root command installs :class:`GuardedStream` over ``sys.stdout`` and ``sys.stderr`` for the
duration of a command, so ``click.echo`` lines of every command (errors, warnings, progress,
``findings list``, ``diff``), click's own usage errors and Python warnings all pass it, on a
terminal and when piped:

* stderr — messages that quote inputs: ``terminal_line`` (identifiers masked, URLs made public,
  escape sequences and bidi overrides shown as escapes, clipped around an ellipsis);
* stdout — results (reports, listings) whose fields are already masked at the model: escape
  sequences and bidi overrides neutralised only, nothing clipped or rewritten, so JSON stays
  valid (``\\u202e`` is a JSON escape of the same character) and fingerprints stay whole.

Progress writes its own ``\\r\\x1b[K`` through :attr:`GuardedStream.unguarded`, after masking
and neutralising what it shows itself.
"""

from __future__ import annotations

import re
import sys
import threading
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import Any, TextIO

import click

from govscan.redact import neutralise, terminal_line
from govscan.terminal import SETTINGS, reset

CHUNK = 1 << 16  # characters gathered before cleaning, when not cleaning by line


class GuardedStream:
    """A text stream that sanitises what passes through it.

    ``by_line``: each complete line is cleaned whole (masking and clipping need the whole line);
    otherwise writes are gathered and cleaned 64 K characters at a time (neutralising is per
    character; a trailing carriage return waits for the newline that may follow it) and on flush.
    """

    def __init__(
        self,
        stream: TextIO,
        clean: Callable[[str], str],
        *,
        by_line: bool,
        keep: Callable[[str], bool] | None = None,
    ) -> None:
        self.unguarded = stream
        self._clean = clean
        self._by_line = by_line
        self._keep = keep  # by_line only: which lines are printed at all (``-q`` drops notes)
        # by_line only: where cleaned lines go instead of the stream — above a live progress bar
        # (govscan/progress.py sets it while the bar is drawn, so a warning never tears it)
        self.divert: Callable[[str], None] | None = None
        self._pending: list[str] = []
        self._size = 0
        self._lock = threading.Lock()  # worker threads may warn while the coordinator prints

    def write(self, text: str) -> int:
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        if not self._by_line:
            # json.dump writes token by token: gather (cheaply), clean a large chunk at a time
            self._pending.append(text)
            self._size += len(text)
            if self._size >= CHUNK:
                with self._lock:
                    self._drain(keep_cr=True)
            return len(text)
        with self._lock:
            if "\n" not in text:
                self._pending.append(text)
            else:
                head, _, rest = ("".join(self._pending) + text).rpartition("\n")
                self._pending = [rest] if rest else []
                lines = head.split("\n")
                if self._keep is not None:
                    lines = [line for line in lines if self._keep(line)]
                if lines:
                    self._emit("\n".join(self._clean(line) for line in lines) + "\n")
        return len(text)

    def _emit(self, text: str) -> None:
        divert = self.divert
        if divert is not None:
            divert(text)
        else:
            self.unguarded.write(text)

    def _drain(self, *, keep_cr: bool) -> None:
        pending, self._pending, self._size = self._pending, [], 0
        text = "".join(pending)
        if keep_cr and text.endswith("\r"):  # its newline may come next: "\r\n" is a line end
            self._pending, self._size, text = ["\r"], 1, text[:-1]
        if self._by_line and self._keep is not None and not self._keep(text):
            return
        self._emit(self._clean(text))

    def flush(self) -> None:
        with self._lock:
            if self._pending:
                self._drain(keep_cr=False)
        self.unguarded.flush()

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def isatty(self) -> bool:
        return self.unguarded.isatty()

    def writable(self) -> bool:
        return True

    def __getattr__(self, name: str) -> Any:  # encoding, errors, buffer, fileno…: the real stream's
        return getattr(self.unguarded, name)


def stderr_line(line: str) -> str:
    """A line for stderr: ``terminal_line``, keeping a CRLF's carriage return."""
    carriage = line.endswith("\r")
    return terminal_line(line[:-1] if carriage else line) + ("\r" if carriage else "")


def masked_excepthook(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
    """A crash's traceback, each line as :func:`stderr_line` makes it.

    A bug still ends in a traceback (exit 1) but Python prints it after the command's guarded
    streams are gone, and its message quotes what the process was reading (a file name, a URL):
    ``main()`` installs this as ``sys.excepthook`` so that it is masked like every other line.
    """
    text = "".join(traceback.format_exception(kind, value, tb))
    sys.stderr.write("\n".join(stderr_line(line) for line in text.rstrip("\n").split("\n")) + "\n")
    sys.stderr.flush()


def stdout_text(text: str) -> str:
    return neutralise(text)


# A note: govscan telling what it did ("govscan: 13 pages, …", "govscan demo: …", "  note: …",
# "report: FILE"). Errors, warnings, the gate's verdict and an interruption are never notes.
_NOTE = re.compile(r"(govscan(?: demo)?: (?!error|warning|gate|interrupted)|report: |\s+note: )")


class QuietFilter:
    """``-q``: drop notes, and the indented lines that continue a dropped note; keep the rest."""

    def __init__(self) -> None:
        self._dropping = False

    def __call__(self, line: str) -> bool:
        if not SETTINGS.quiet:  # read per line: a subcommand's -q is parsed after the streams are guarded
            return True
        if _NOTE.match(line):
            self._dropping = True
        elif not line[:1].isspace() or not line.strip():
            self._dropping = False
        return not self._dropping


@contextmanager
def guarded_streams() -> Iterator[None]:
    """``sys.stdout`` and ``sys.stderr`` guarded while a command runs (CliRunner's streams too)."""
    saved = sys.stdout, sys.stderr
    out = GuardedStream(sys.stdout, stdout_text, by_line=False)
    err = GuardedStream(sys.stderr, stderr_line, by_line=True, keep=QuietFilter())
    sys.stdout, sys.stderr = out, err  # type: ignore[assignment]
    try:
        yield
    finally:
        for stream in (out, err):
            try:
                stream.flush()
            except (OSError, ValueError):  # a closed pipe: nothing more can be said there
                pass
        sys.stdout, sys.stderr = saved


def _set_quiet(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if value:
        SETTINGS.quiet = True


def _set_verbose(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if value:
        SETTINGS.verbose = True


def _set_no_colour(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if value:
        SETTINGS.colour = False


def terminal_options() -> list[click.Option]:
    """``-q``, ``-v``, ``--no-color``: accepted by the root command and by every subcommand
    (``govscan -q scan …`` and ``govscan scan -q …`` alike); they set govscan/terminal.py's settings."""
    return [
        click.Option(["-q", "--quiet"], is_flag=True, expose_value=False, callback=_set_quiet,
                     help="No progress and no notes on stderr; errors, warnings and the gate's verdict still."),
        click.Option(["-v", "--verbose"], is_flag=True, expose_value=False, callback=_set_verbose,
                     help="More detail on stderr: each file, page and endpoint as it is done."),
        click.Option(["--no-color", "no_color"], is_flag=True, expose_value=False,
                     callback=_set_no_colour, help="No colour in tables and progress (NO_COLOR=1 does the same)."),
    ]  # fmt: skip


def add_terminal_options(group: click.Group) -> None:
    """Give every subcommand (and group) below ``group`` the terminal options."""
    for command in group.commands.values():
        names = {opt for param in command.params for opt in getattr(param, "opts", [])}
        command.params += [o for o in terminal_options() if not names & set(o.opts)]
        if isinstance(command, click.Group):
            add_terminal_options(command)


class GuardedGroup(click.Group):
    """The root command group: subcommands run with guarded streams, and click's own error
    messages (which quote the argument at fault, e.g. a 5 MB path) are sanitised too.

    The terminal settings (``-q``, ``-v``, ``--no-color``) start from their defaults for every
    invocation and are reset after it (tests run many commands in one process).
    """

    def make_context(self, *args: Any, **kwargs: Any) -> click.Context:
        reset()
        try:
            return super().make_context(*args, **kwargs)
        except click.ClickException as exc:  # the root's own options, parsed before invoke guards
            exc.message = terminal_line(exc.message)
            raise

    def invoke(self, ctx: click.Context) -> Any:
        try:
            with guarded_streams():
                try:
                    return super().invoke(ctx)
                except click.ClickException as exc:
                    exc.message = terminal_line(exc.message)
                    raise
        finally:
            reset()
