"""XML reader: defusedxml ``iterparse``, element text and attributes grouped by path.

Path conventions (``Field.json_path``), chosen so that they can be decided while streaming:

* the root element's local name starts the path; child elements are joined with dots;
* an element below the root that has element children is a *record* and gets ``[*]``:
  ``<records><record><iin>…`` → ``records.record[*].iin`` (whether an element has children
  is known when its first child starts, before any of its values are emitted);
* attributes are ``<element path>.@name``: ``records.record[*].@id``;
* namespaces are dropped (local names only); text and attribute values are stripped and
  empty ones skipped; mixed-content text after a child goes to the parent's path.

DTDs and entity declarations are refused outright (billion laughs, external entities): a
published data file has no business declaring them. Memory is O(depth): each element is
emptied when it ends and detached once its tail text is known. A text run longer than
``max_field_chars`` (which expat would accumulate) is refused.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from xml.etree.ElementTree import Element, ParseError

import defusedxml
import defusedxml.ElementTree as safe_et

from govscan.model import Asset, Values
from govscan.readers.encoding import TokenGuard, Utf8Recoder, detect_encoding, read_sample
from govscan.readers.json_ import PathBuffer
from govscan.readers.limits import ReadContext, ReaderError

_DECLARED_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")


@dataclass(slots=True)
class _Frame:
    elem: Element
    base: str  # path without the record marker
    is_root: bool
    has_children: bool = False
    last_child: Element | None = None

    @property
    def path(self) -> str:
        return self.base + "[*]" if self.has_children and not self.is_root else self.base


def local_name(tag: str) -> str:
    return tag.rsplit("}", 1)[-1] if tag.startswith("{") else tag


def read_xml(asset: Asset, ctx: ReadContext) -> Iterator[Values]:
    limits = ctx.limits
    buffer = PathBuffer(asset.uri, limits)
    with _open_utf8_or_declared(asset.path) as raw:
        guard = TokenGuard(raw, limits.max_field_chars, "XML text or tag")
        events = safe_et.iterparse(
            guard, events=("start", "end"), forbid_dtd=True, forbid_entities=True, forbid_external=True
        )
        try:
            yield from _walk(events, buffer, limits.xml_max_depth, guard)
        except defusedxml.DefusedXmlException as exc:
            yield from buffer.flush()
            raise ReaderError(f"XML entity/DTD refused ({type(exc).__name__})") from None
        except ParseError as exc:
            yield from buffer.flush()
            raise ReaderError(f"malformed XML: {exc}") from None
        except ReaderError:
            yield from buffer.flush()
            raise
    yield from buffer.flush()


def _open_utf8_or_declared(path: str) -> Any:
    """Bytes expat can parse: the file itself, or a UTF-8 recoding of an undeclared cp1251 file.

    Expat honours an ``encoding=`` declaration (windows-1251 included) and otherwise assumes
    UTF-8; files saved in cp1251 without declaring it are transcoded with the detected codec.
    """
    sample = read_sample(path)
    encoding = detect_encoding(sample)
    declared = _DECLARED_ENCODING.match(sample.lstrip(b"\xef\xbb\xbf"))
    declared_utf8 = declared is None or declared.group(1).decode("ascii").lower().replace("_", "-") in ("utf-8", "utf8")
    if encoding in ("utf-8", "utf-8-sig") or encoding.startswith("utf-16") or not declared_utf8:
        return open(path, "rb")  # noqa: SIM115
    text = open(path, encoding=encoding, errors="replace")  # noqa: SIM115
    return _Closing(Utf8Recoder(text), text)


class _Closing:
    def __init__(self, stream: Any, owner: Any) -> None:
        self.stream, self.owner = stream, owner

    def __enter__(self) -> Any:
        return self.stream

    def __exit__(self, *exc: object) -> None:
        self.owner.close()


def _walk(
    events: Iterator[tuple[str, Element]], buffer: PathBuffer, max_depth: int, guard: TokenGuard
) -> Iterator[Values]:
    frames: list[_Frame] = []
    for event, elem in events:
        guard.since_event = 0
        if event == "start":
            if len(frames) >= max_depth:
                raise ReaderError(f"XML nested deeper than {max_depth} levels")
            name = local_name(elem.tag)
            if not frames:
                frames.append(_Frame(elem, name, is_root=True))
                continue
            parent = frames[-1]
            if not parent.has_children:
                parent.has_children = True
                yield from _emit_text(parent, buffer)  # text before the first child, in order
            yield from _release_last_child(parent, buffer)
            parent.last_child = elem
            frames.append(_Frame(elem, f"{parent.path}.{name}", is_root=False))
        else:
            frame = frames.pop()
            yield from _release_last_child(frame, buffer)
            yield from _emit_element(frame, buffer)
            if not frames:  # the root ended: its tail is outside the document
                elem.clear()


def _release_last_child(frame: _Frame, buffer: PathBuffer) -> Iterator[Values]:
    """The previous child is complete (its tail too): emit the tail, detach the child."""
    child = frame.last_child
    if child is None:
        return
    tail = (child.tail or "").strip()
    if tail:
        yield from buffer.add(frame.path, tail)
    frame.elem.remove(child)
    frame.last_child = None


def _emit_text(frame: _Frame, buffer: PathBuffer) -> Iterator[Values]:
    text = (frame.elem.text or "").strip()
    frame.elem.text = None
    if text:
        yield from buffer.add(frame.path, text)


def _emit_element(frame: _Frame, buffer: PathBuffer) -> Iterator[Values]:
    elem = frame.elem
    path = frame.path
    for name, value in elem.attrib.items():
        value = value.strip()
        if value:
            yield from buffer.add(f"{path}.@{local_name(name)}", value)
    yield from _emit_text(frame, buffer)
    elem.attrib.clear()
    del elem[:]  # keep .tail: the parent reads it when the next sibling starts or it ends
