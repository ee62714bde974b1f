"""OCR with Tesseract: scanned PDF pages and images (``.png``, ``.jpg``, ``.tif``) become text.

Agencies publish scanned orders and lists as often as typed ones; without OCR a scanned list of
recipients is a silent all-clear. Tesseract is the Debian ``tesseract-ocr`` binary (with the
``rus`` and ``kaz`` language packs), run as a subprocess for each page: a page gets a bounded
number of pixels (rendered at ``ocr_dpi``, scaled down to ``ocr_max_pixels``) and a bounded time
(``ocr_page_seconds``; the subprocess is killed after it). One Tesseract process per page keeps a
crash or a hang to one page.

OCR mistakes letters for digits (``O``/``0``, ``l``/``1``, ``З``/``3``); :func:`normalise_digits`
undoes that only inside digit runs, so words stay words. What remains noisy is filtered by the
recognizers themselves: an IIN needs its check digit and a real birth date.
"""

from __future__ import annotations

import functools
import io
import os
import re
import shutil
import subprocess
import warnings
from collections.abc import Iterator

from govscan.errors import one_line
from govscan.model import Asset, Text
from govscan.readers.limits import Limits, ReadContext, ReaderError

TESSERACT = "tesseract"
DEBIAN_PACKAGE = "tesseract-ocr"
MODES = ("auto", "off", "force")

# Letters OCR reads in place of digits; applied only inside tokens that are mostly digits.
_DIGIT_LOOKALIKES = str.maketrans(
    {
        "O": "0",
        "o": "0",
        "О": "0",  # Cyrillic
        "о": "0",
        "D": "0",
        "I": "1",
        "l": "1",
        "|": "1",
        "І": "1",  # Kazakh/Ukrainian
        "і": "1",
        "З": "3",  # Cyrillic Ze
        "з": "3",
        "б": "6",
        "S": "5",
        "B": "8",
        "В": "8",  # Cyrillic Ve
    }
)
_LOOKALIKES = "OoОоDIl|ІіЗзбSBВ"
_TOKEN = re.compile(rf"[0-9{re.escape(_LOOKALIKES)}]{{4,}}")


class OcrUnavailable(Exception):
    """Tesseract cannot be run here: the pages that needed it are reported as not read."""


def normalise_digits(text: str) -> str:
    """Undo letter-for-digit confusions in runs that are mostly digits (``87l2153OO123``).

    A run qualifies when it holds at least four real digits and the look-alike letters are at
    most a third of it: ``ЗОЛОТО`` or ``Sold`` stay as they are; ``87l2153OO123`` becomes an IIN
    whose check digit then decides whether it is one.
    """

    def fix(match: re.Match[str]) -> str:
        run = match.group(0)
        digits = sum(ch.isdigit() for ch in run)
        if digits < 4 or (len(run) - digits) * 3 > len(run):
            return run
        return run.translate(_DIGIT_LOOKALIKES)

    return _TOKEN.sub(fix, text)


def check_mode(mode: str) -> str:
    if mode not in MODES:
        raise ValueError(f"unknown OCR mode {mode!r} (expected one of: {', '.join(MODES)})")
    return mode


def tesseract_binary() -> str | None:
    """The Tesseract executable on ``PATH`` (looked up each time: tests change ``PATH``)."""
    return shutil.which(TESSERACT)


@functools.lru_cache(maxsize=8)
def _installed_languages(binary: str) -> frozenset[str]:
    try:
        done = subprocess.run([binary, "--list-langs"], capture_output=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return frozenset()
    lines = done.stdout.decode("utf-8", "replace").splitlines()
    return frozenset(line.strip() for line in lines[1:] if line.strip())


def languages(binary: str, wanted: str) -> str:
    """``wanted`` (``rus+kaz+eng``) restricted to the installed language packs; never empty."""
    have = _installed_languages(binary)
    usable = [lang for lang in wanted.split("+") if lang in have]
    if usable:
        return "+".join(usable)
    if "eng" in have or not have:
        return "eng"
    return sorted(have)[0]


class Ocr:
    """One document's OCR: finds Tesseract once, runs it per page image with the limits."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.mode = check_mode(limits.ocr)
        self._binary = tesseract_binary()
        self._languages = languages(self._binary, limits.ocr_languages) if self._binary else ""

    @property
    def available(self) -> bool:
        return self._binary is not None

    @property
    def need(self) -> str:
        return f"OCR needs Tesseract (Debian package {DEBIAN_PACKAGE}), not found on PATH"

    def missing(self, why: str = "no text layer") -> str:
        """Why a page that needed OCR (``why``) did not get it, as the end of a one-line message."""
        if self.mode == "off":
            return f"{why} and OCR is off (--ocr off)"
        return f"{why}; {self.need}"

    def png(self, image: bytes) -> str:
        """Text of one page image (PNG bytes); ``OcrUnavailable`` when Tesseract is missing."""
        if self._binary is None:
            raise OcrUnavailable(self.need)
        command = [self._binary, "stdin", "stdout", "-l", self._languages, "--psm", "3"]
        env = {**os.environ, "OMP_THREAD_LIMIT": "1"}  # one core per page; other work shares the machine
        try:
            done = subprocess.run(
                command, input=image, capture_output=True, timeout=self.limits.ocr_page_seconds, env=env, check=False
            )
        except subprocess.TimeoutExpired:
            raise OcrUnavailable(f"OCR took longer than {self.limits.ocr_page_seconds:g} s") from None
        except OSError as exc:
            raise OcrUnavailable(f"Tesseract could not be started ({exc.strerror or exc})") from None
        if done.returncode != 0:
            reason = one_line(done.stderr.decode("utf-8", "replace"), 160)
            raise OcrUnavailable(f"Tesseract failed ({reason or done.returncode})")
        return normalise_digits(done.stdout.decode("utf-8", "replace"))


def read_image(asset: Asset, ctx: ReadContext) -> Iterator[Text]:
    """A published image (a scan or a photo of a list): every frame through Tesseract.

    The size is read from the header and refused above ``image_max_pixels`` before any pixel is
    decoded; larger-than-needed images are scaled down to ``ocr_max_pixels``. Multi-page TIFFs
    give one ``Text`` per frame, with ``page`` set.
    """
    limits = ctx.limits
    ocr = Ocr(limits)
    if ocr.mode == "off" or not ocr.available:
        reason = "OCR is off (--ocr off)" if ocr.mode == "off" else ocr.need
        raise ReaderError(f"image not read: {reason}")
    from PIL import Image, UnidentifiedImageError

    warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # our own bound applies: image_max_pixels
    try:
        image = Image.open(asset.path)  # reads the header only
    except Image.DecompressionBombError:
        raise ReaderError("image refused: too many pixels (decompression bomb?)") from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise ReaderError(f"not a readable image ({type(exc).__name__})") from None
    with image:
        frames = getattr(image, "n_frames", 1)
        failed: list[int] = []
        for index in range(min(frames, limits.pdf_max_pages)):
            try:
                image.seek(index)
                png = _bounded_png(image, limits)
                text = ocr.png(png)
            except OcrUnavailable as exc:
                failed.append(index + 1)
                reason = str(exc)
                continue
            except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
                raise ReaderError(f"damaged image ({type(exc).__name__})") from None
            if text.strip():
                yield Text(asset.uri, text, page=index + 1 if frames > 1 else None)
        problems = []
        if failed:
            problems.append(f"{page_span(failed, frames)} not read: {reason}")
        if frames > limits.pdf_max_pages:
            problems.append(f"frames after {limits.pdf_max_pages} not read (limit)")
        if problems:
            raise ReaderError("; ".join(problems))


def _bounded_png(image: object, limits: Limits) -> bytes:
    from PIL import Image

    assert isinstance(image, Image.Image)
    width, height = image.size
    if width * height > limits.image_max_pixels:
        raise ReaderError(
            f"image of {width}x{height} pixels refused (more than {limits.image_max_pixels}; decompression bomb?)"
        )
    scale = min(1.0, (limits.ocr_max_pixels / (width * height)) ** 0.5)
    target = (max(1, int(width * scale)), max(1, int(height * scale)))
    if scale < 1.0:
        image.draft("L", target)  # JPEG: decode at 1/2, 1/4 or 1/8 scale straight away
    frame = image.convert("L")
    if frame.size[0] * frame.size[1] > limits.ocr_max_pixels:
        frame = frame.resize(target)
    out = io.BytesIO()
    frame.save(out, format="PNG")
    return out.getvalue()


def page_span(numbers: list[int], total: int = 0) -> str:
    """``page 3`` / ``pages 1-4, 7`` for a message line."""
    if total == 1 and numbers == [1]:
        return "image"
    spans: list[str] = []
    start = prev = numbers[0]
    for n in [*numbers[1:], None]:
        if n is not None and n == prev + 1:
            prev = n
            continue
        spans.append(str(start) if start == prev else f"{start}-{prev}")
        if n is not None:
            start = prev = n
    word = "page" if len(numbers) == 1 else "pages"
    return f"{word} {', '.join(spans)}"
