"""``govscan check``: the CI gate for files and URLs about to be published."""

from __future__ import annotations

import click

from govscan.cli.gate import finish, read_baseline
from govscan.cli.options import gate_options, output_options
from govscan.engine.documents import DOCUMENT_NER_MAX_CHARS, CheckOptions, run_check
from govscan.identity import load_secret
from govscan.progress import Progress
from govscan.readers.limits import Limits
from govscan.readers.ocr import MODES
from govscan.rules import RuleLoadError, load_rules


@click.command()
@click.argument("inputs", nargs=-1, required=True, metavar="PATH|URL...")
@output_options
@gate_options
@click.option("--exclude", multiple=True, metavar="GLOB", help="Skip files matching GLOB (repeatable).")
@click.option(
    "--ocr",
    type=click.Choice(MODES),
    default="auto",
    show_default=True,
    help="Tesseract OCR: 'auto' reads scanned PDF pages (no text layer) and images, 'off' reports them as "
    "not read, 'force' OCRs every page.",
)
@click.option(
    "--ner/--no-ner",
    default=True,
    show_default=True,
    help="Use natasha's offline NER for names in pages and text documents (slower start-up).",
)
@click.option(
    "--ner-max-chars",
    type=click.IntRange(min=0),
    default=DOCUMENT_NER_MAX_CHARS,
    show_default=True,
    help="Characters of one file's text given to name NER (about 10 s of CPU per MiB); the rest is still "
    "read by every rule-based recognizer. 0: no NER budget limit.",
)
@click.option(
    "--progress/--no-progress",
    default=None,
    help="Progress on stderr (default: on for terminals, sparse lines otherwise).",
)
@click.option(
    "--ca-file",
    type=click.Path(exists=True, dir_okay=False),
    help="CA bundle trusted for https URLs (e.g. the national root CA that signs *.gov.kz portals).",
)
def check(
    inputs: tuple[str, ...],
    fmt: str,
    output: str | None,
    fail_on: str,
    baseline: str | None,
    write_baseline: str | None,
    baseline_reason: str,
    exclude: tuple[str, ...],
    ocr: str,
    ner: bool,
    ner_max_chars: int,
    progress: bool | None,
    ca_file: str | None,
) -> None:
    """Scan files, folders, globs or URLs for personal data.

    Exit status: 0 nothing at or above --fail-on, 1 findings at or above it, 2 usage error or an
    input that could not be read (all other inputs are still scanned and reported).
    """
    try:
        rules = load_rules()
    except RuleLoadError as exc:
        raise click.UsageError(str(exc)) from exc
    accepted = read_baseline(baseline)
    result = run_check(
        CheckOptions(
            list(inputs),
            list(exclude),
            ner=ner,
            ner_max_chars=ner_max_chars or None,
            ca_file=ca_file,
            limits=Limits(ocr=ocr),
        ),
        rules,
        load_secret(),
        Progress(enabled=progress is not False),
    )
    if result.ner_cut:
        click.echo(
            f"govscan: note: name NER stopped after {ner_max_chars:,} characters in {len(result.ner_cut)} file(s) "
            f"({sum(result.ner_cut.values()):,} characters read by the rule-based recognizers only; "
            "--ner-max-chars raises the budget)",
            err=True,
        )
    finish(
        result,
        fmt=fmt,
        output=output,
        fail_on=fail_on,
        accepted=accepted,
        baseline=baseline,
        write_baseline_to=write_baseline,
        baseline_reason=baseline_reason,
    )
