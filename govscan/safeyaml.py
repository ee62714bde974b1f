"""YAML a user hands govscan (scan configs, rule packs), bounded before any of it is built.

PyYAML builds nested collections recursively: 100,000 ``[`` exhaust Python's stack
(``RecursionError``), and libyaml's loader overflows the C stack (a segfault, no message at all).
Decimal integers over 4,300 digits make ``int()`` raise a ``ValueError`` that talks about
``sys.set_int_max_str_digits``, and an impossible date (``2024-13-45``) another one. So the
event stream — which both parsers produce iteratively — is read first and refused, with its line,
when it nests deeper than :data:`MAX_DEPTH` or holds a number longer than :data:`MAX_DIGITS`;
what construction still refuses becomes a :class:`YamlBoundsError` too. Both are
``yaml.YAMLError``, so callers that already turn YAML errors into one line need no change.
"""

from __future__ import annotations

import functools
import re
from typing import Any

import yaml

from govscan.redact import shorten

MAX_DEPTH = 64  # a scan config nests ~5 levels, a rule ~6
MAX_DIGITS = 100  # digits of one number: larger than any limit or count govscan takes
MAX_BYTES = 4 * 1024 * 1024  # a config or rule file is a few KiB; a 1 GB one is a mistake or an attack

_NUMBER_LIKE = re.compile(r"[-+]?[0-9][0-9_:.]*")
_INT_TAG = "tag:yaml.org,2002:int"


class YamlBoundsError(yaml.YAMLError):
    """YAML govscan will not build; ``line`` (1-based, or None) and ``problem`` for the caller's message."""

    def __init__(self, problem: str, line: int | None = None) -> None:
        super().__init__(f"line {line}: {problem}" if line else problem)
        self.problem = problem
        self.line = line


def check_bounds(text: str, loader: type[Any] = yaml.SafeLoader) -> None:
    """Raise :class:`YamlBoundsError` when ``text`` nests too deep or holds a huge number."""
    depth = 0
    for event in yaml.parse(text, Loader=loader):
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise YamlBoundsError(f"nested deeper than {MAX_DEPTH} levels", _line(event))
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
        elif isinstance(event, yaml.ScalarEvent) and len(event.value) > MAX_DIGITS:
            plain = event.implicit[0] or event.tag == _INT_TAG
            if plain and _NUMBER_LIKE.fullmatch(event.value):
                raise YamlBoundsError(
                    f"a number {len(event.value)} characters long (at most {MAX_DIGITS})", _line(event)
                )


def load_yaml(text: str, loader: type[Any] = yaml.SafeLoader) -> Any:
    """``yaml.load`` with :func:`check_bounds` first; a value construction refuses is a YAMLError."""
    check_bounds(text, loader)
    reader = _tracking(loader)(text)
    try:
        return reader.get_single_data()
    except (ValueError, OverflowError, RecursionError) as exc:
        node = getattr(reader, "govscan_node", None)
        line = node.start_mark.line + 1 if node is not None else None
        raise YamlBoundsError(f"a value that cannot be read ({_first_words(exc)})", line) from None
    finally:
        reader.dispose()


def compose_yaml(text: str, loader: type[Any] = yaml.SafeLoader) -> yaml.Node | None:
    """``yaml.compose`` with :func:`check_bounds` first (for callers that map errors to lines)."""
    check_bounds(text, loader)
    return yaml.compose(text, Loader=loader)


@functools.cache
def _tracking(loader: type[Any]) -> type[Any]:
    """``loader`` remembering the node it builds last, so a value it refuses has a line."""

    def construct_object(self: Any, node: yaml.Node, deep: bool = False) -> Any:
        self.govscan_node = node
        return loader.construct_object(self, node, deep)

    return type(f"Tracking{loader.__name__}", (loader,), {"construct_object": construct_object})


def _line(event: yaml.Event) -> int | None:
    mark = getattr(event, "start_mark", None)
    return mark.line + 1 if mark is not None else None


def _first_words(exc: BaseException, limit: int = 120) -> str:
    return shorten(" ".join(str(exc).split()), limit)  # masked before the cut
