"""Why an asset could not be read, in the report's language.

Readers state the reason in English ("encrypted, not read", "not a valid XLSX (BadZipFile: …)");
the database keeps that. The HTML and Markdown reports say the known forms through the catalogue
(``govscan/report/reasons.yaml`` maps them to messages), the technical detail quoted; a reason no
form matches is shown as stored, quoted, never dropped.
"""

from __future__ import annotations

from pathlib import Path

import lxml.html
import pymupdf
import pytest
from click.testing import CliRunner
from sqlmodel import Session

from govscan.cli import cli
from govscan.report.data import ReportData, build_report_data
from govscan.report.html import render_html
from govscan.report.markdown import render_markdown
from govscan.report.reasons import reason_messages
from govscan.rules import load_rules
from govscan.store.engine import open_engine


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory) -> ReportData:
    """A real scan of an export folder with an encrypted PDF, a broken workbook and a good CSV."""
    root = tmp_path_factory.mktemp("unread")
    exports = root / "exports"
    exports.mkdir()
    doc = pymupdf.open()
    doc.new_page().insert_text((72, 72), "Список получателей")
    doc.save(str(exports / "secret.pdf"), encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw="u", owner_pw="o")
    (exports / "broken.xlsx").write_bytes(b"PK\x03\x04" + b"garbage" * 20)
    (exports / "ok.csv").write_text("ФИО,ИИН\nИванов Иван Иванович,900101300017\n", encoding="utf-8")
    config = root / "scan.yaml"
    config.write_text(f"name: nightly\ntargets:\n  - name: open data\n    datasets: ['{exports}/*']\n", "utf-8")
    db = f"sqlite:///{root / 'g.db'}"
    result = CliRunner().invoke(cli, ["scan", str(config), "--db", db], catch_exceptions=False)
    assert result.exit_code in (1, 2), result.output
    with Session(open_engine(db)) as session:
        return build_report_data(session, load_rules(plugins=False))


def _reasons(html: str) -> dict[str, str]:
    doc = lxml.html.fromstring(html)
    rows = doc.xpath('//details[@class="unread"]//tbody/tr')
    return {row.xpath("./td[1]")[0].text_content().rsplit("/", 1)[-1]: row.xpath("./td[2]")[0] for row in rows}


def test_the_stored_reasons_are_the_readers_english(scanned: ReportData) -> None:
    stored = {u.uri.rsplit("/", 1)[-1]: u.reason for t in scanned.targets for u in t.unread}
    assert stored["secret.pdf"] == "encrypted, not read"
    assert stored["broken.xlsx"].startswith("not a valid XLSX (")


@pytest.mark.parametrize(
    "lang,encrypted,invalid",
    [
        ("ru", "зашифрован, не прочитан", "не является корректным файлом XLSX"),
        ("kk", "шифрланған, оқылмады", "жарамды XLSX файлы емес"),
        ("en", "encrypted, not read", "not a valid XLSX file"),
    ],
)
def test_known_reasons_are_said_in_the_report_language(scanned: ReportData, lang, encrypted, invalid) -> None:
    cells = _reasons(render_html(scanned, lang, strict=True))
    assert " ".join(cells["secret.pdf"].text_content().split()) == encrypted
    broken = cells["broken.xlsx"]
    assert invalid in broken.text_content()
    # the library's own words stay, quoted as data
    assert "BadZipFile: File is not a zip file" in [c.text_content() for c in broken.xpath(".//code")]
    if lang != "en":
        assert "not read" not in broken.text_content() and "not a valid" not in broken.text_content()


def test_the_markdown_report_says_them_too(scanned: ReportData) -> None:
    text = render_markdown(scanned, "ru", strict=True)
    assert "зашифрован, не прочитан" in text and "не является корректным файлом XLSX" in text
    assert "encrypted, not read" not in text


def test_an_unknown_reason_is_shown_as_stored_and_quoted() -> None:
    from govscan.report.i18n import Translator
    from govscan.report.templating import reason_plain, reason_text

    assert reason_messages("the moon was in the wrong phase") is None
    assert reason_messages("") is None
    ru = Translator("ru", strict=True)
    assert str(reason_text(ru, "the <moon> was wrong")) == "<code>the &lt;moon&gt; was wrong</code>"
    assert reason_plain(ru, "the moon was wrong") == "the moon was wrong"
    # one known and one unknown problem: nothing half-translated, the whole reason quoted
    assert str(reason_text(ru, "encrypted, not read; the moon")) == "<code>encrypted, not read; the moon</code>"
    assert str(reason_text(ru, "could not be read (<b>)")) == "не удалось прочитать: <code>&lt;b&gt;</code>"


@pytest.mark.parametrize(
    "reason,expected",
    [
        ("encrypted, not read (a password-protected Office document)", [("encrypted", {})]),
        ("could not be read (ValueError: bad row)", [("could_not_be_read", {"detail": "ValueError: bad row"})]),
        ("was not read", [("not_read", {})]),
        ("not read", [("not_read", {})]),
        # two problems of one asset, joined by the scan: each said
        (
            "encrypted, not read; could not be scanned (OSError)",
            [("encrypted", {}), ("could_not_be_scanned", {"detail": "OSError"})],
        ),
    ],
)
def test_known_forms_become_messages(reason: str, expected) -> None:
    said = reason_messages(reason)
    assert said is not None and [(m.id, m.params) for m in said] == expected


def test_every_form_has_a_message_in_every_catalogue() -> None:
    from govscan.report.i18n import LANGUAGES, load_catalog
    from govscan.report.reasons import FORMS

    assert FORMS
    for lang in LANGUAGES:
        for form in FORMS:
            assert f"reason.{form.id}" in load_catalog(lang), (lang, form.id)


def test_the_reasons_file_lives_in_the_package() -> None:
    from govscan.report import reasons

    assert Path(reasons.__file__).with_name("reasons.yaml").is_file()
