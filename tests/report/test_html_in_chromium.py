"""Open the HTML report in a real Chromium: no request leaves the file, no console error, charts show.

Uses Debian's ``/usr/bin/chromium`` through Playwright's Python API; no browser is ever downloaded
(``playwright install`` is never run). Skipped only when chromium or playwright is missing.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlmodel import Session

from govscan.report.data import build_report_data
from govscan.report.html import render_html
from govscan.rules import load_rules
from govscan.store.engine import open_engine
from govscan.testing.beside import load_beside

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install chromium)")
sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright Python package is not installed")


rdb = load_beside(__file__, "report_db.py")
report_db = rdb.report_db


@pytest.mark.timeout(180)
@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_report_in_chromium(report_db, tmp_path: Path, lang: str) -> None:
    with Session(open_engine(report_db.url)) as session:
        data = build_report_data(session, load_rules())
    page_file = tmp_path / "report <b>.html"  # a hostile-ish path must not matter either
    page_file.write_text(render_html(data, lang), encoding="utf-8")

    attempted: list[str] = []
    errors: list[str] = []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            context = browser.new_context(viewport={"width": 1200, "height": 900})
            page = context.new_page()

            def guard(route) -> None:
                if route.request.url.startswith("file://"):
                    route.continue_()
                else:
                    attempted.append(route.request.url)
                    route.abort()

            context.route("**/*", guard)
            page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.on("dialog", lambda dialog: (errors.append(f"dialog: {dialog.message}"), dialog.dismiss()))
            # control: the guard does see a page that loads something (else the check below proves nothing)
            control = tmp_path / "control.html"
            control.write_text('<html><body><img src="http://127.0.0.1:9/x.png"></body></html>', encoding="utf-8")
            page.goto(control.as_uri())
            page.wait_for_load_state("load")
            assert attempted == ["http://127.0.0.1:9/x.png"]
            attempted.clear()
            errors.clear()

            page.goto(page_file.as_uri())
            page.wait_for_load_state("load")

            assert page.evaluate("document.documentElement.lang") == lang
            for chart in ("svg.chart-severity", "svg.chart-trend"):
                assert page.locator(chart).is_visible()
                box = page.locator(chart).bounding_box()
                assert box and box["width"] > 100 and box["height"] > 50
            assert page.locator("svg.chart-severity rect").count() == 5
            # hostile text is text: no element was created from it
            assert page.locator("main script, main img, main b, main i").count() == 0
            # findings are folded per rule: hidden until their summary is clicked, no script needed
            assert "<script>alert(1)</script>ИИН" not in page.inner_text("#targets")
            assert "<script>alert(1)</script>ИИН" in page.text_content("#targets")
            for summary in page.locator("#targets details.rule-group > summary").all():
                summary.click()
            assert "<script>alert(1)</script>ИИН" in page.inner_text("#targets")
            shot = tmp_path / "report.png"
            page.screenshot(path=str(shot), full_page=True)
            page.emulate_media(media="print")
            assert page.locator("nav").is_hidden()  # the print stylesheet applies
        finally:
            browser.close()
    assert attempted == [], f"the report tried to load: {attempted}"
    assert errors == [], errors
    assert shot.stat().st_size > 10_000 and shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
