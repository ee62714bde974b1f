"""Resource limits for readers, the reader exception type, and per-read context.

Everything govscan reads is untrusted: a published file may be truncated, mislabelled or
hostile (zip bombs, billion laughs, a 1 GB file without a newline). Every reader checks these
limits while streaming and raises :class:`ReaderError` when one is exceeded, which
``read_asset`` turns into a ``ReadError`` item so that the scan carries on.
"""

from __future__ import annotations

from dataclasses import dataclass, field

KIB = 1024
MIB = 1024 * KIB
GIB = 1024 * MIB


class ReaderError(Exception):
    """A problem with the input itself (not a bug): reported as ``ReadError(uri, str(err))``.

    The message must be one line that makes sense after ``"<uri>: "``.
    """


@dataclass(frozen=True, slots=True)
class Limits:
    """Bounds that keep one hostile or broken input from hanging or exhausting the scanner."""

    chunk_rows: int = 5000
    """Rows (or values per JSON/XML path) per ``Values`` batch."""
    max_field_chars: int = 1_000_000
    """Longest physical line / CSV field / JSON string / XML text run; longer → ReadError."""
    text_block_chars: int = 4000
    """Target size of a ``Text`` piece."""
    max_buffered_values: int = 200_000
    """JSON/XML: flush every path's buffer when this many values are held in total."""
    archive_max_depth: int = 3
    """Archives nested in archives: at most this many archive levels are opened."""
    archive_max_members: int = 10_000
    archive_max_ratio: int = 200
    """Uncompressed/compressed ratio above which a member is treated as a bomb."""
    archive_ratio_min_bytes: int = 1 * MIB
    """The ratio check applies only above this size: tiny members compress arbitrarily well."""
    archive_max_total_bytes: int = 2 * GIB
    """Bytes unpacked from one top-level asset, summed over all nesting levels."""
    archive_max_member_bytes: int = 1 * GIB
    xlsx_max_shared_strings_bytes: int = 256 * MIB
    """openpyxl loads the shared-strings table fully into memory even in read-only mode."""
    xml_max_depth: int = 256
    json_max_depth: int = 64
    url_timeout: float = 30.0
    """Seconds to wait for the next bytes of an HTTP response."""
    url_max_seconds: float = 600.0
    """Wall-clock bound on a whole download (a server may drip bytes forever)."""
    url_max_bytes: int = 1 * GIB
    pdf_max_pages: int = 2000
    """Pages read from one PDF (or frames of one TIFF); the rest are reported as not read."""
    pdf_max_seconds: float = 300.0
    """Wall-clock bound on one paged document, checked between pages."""
    pdf_max_stream_bytes: int = 256 * MIB
    """A compressed PDF stream inflating beyond this is a decompression bomb: the file is refused."""
    pdf_max_page_bytes: int = 8 * MIB
    """A page whose content streams (its own and its form XObjects', inflated) exceed this is not
    read: a few KB can deflate to millions of drawing or text operators, each a Python object."""
    pdf_max_drawing_bytes: int = 2 * MIB
    """Above this, a page's drawings (table rulings, black boxes) are not analysed: its text is."""
    pdf_max_chars: int = 50_000_000
    """Characters of text taken from one PDF (a bound on memory for the detectors)."""
    ocr: str = "auto"
    """``auto``: OCR pages without a text layer and images; ``off``: never (they are reported unread);
    ``force``: OCR every page, its text layer notwithstanding."""
    ocr_dpi: int = 300
    ocr_max_pixels: int = 12_000_000
    """Pixels of one page image given to Tesseract (an A4 page at 300 dpi is 8.7 million)."""
    ocr_page_seconds: float = 60.0
    """Tesseract's time for one page; a page that takes longer is reported as not read."""
    ocr_languages: str = "rus+kaz+eng"
    image_max_pixels: int = 100_000_000
    """Images larger than this are refused before being decoded (decompression bombs)."""


DEFAULT_LIMITS = Limits()


@dataclass(slots=True)
class UnpackBudget:
    """Bytes still allowed to be unpacked for one top-level asset (shared by nested archives)."""

    remaining: int

    def take(self, n: int, limit: int) -> None:
        self.remaining -= n
        if self.remaining < 0:
            raise ReaderError(f"archive unpacks to more than {limit} bytes in total; rest skipped")


@dataclass(slots=True)
class ReadContext:
    """What a reader needs to know about where it is: archive nesting depth and byte budget."""

    limits: Limits = DEFAULT_LIMITS
    depth: int = 0
    budget: UnpackBudget = field(default_factory=lambda: UnpackBudget(DEFAULT_LIMITS.archive_max_total_bytes))

    @classmethod
    def top(cls, limits: Limits) -> ReadContext:
        return cls(limits, 0, UnpackBudget(limits.archive_max_total_bytes))

    def nested(self) -> ReadContext:
        return ReadContext(self.limits, self.depth + 1, self.budget)
