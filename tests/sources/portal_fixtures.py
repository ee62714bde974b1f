"""A real HTTP server on 127.0.0.1 that plays a CKAN portal and data.egov.kz, with broken variants.

CKAN (``/ckan``): 7 datasets, 3 a page → 3 pages; resources are csv/xlsx/json files served by
the same server; ``empty-dataset`` has no resources. Variants under other roots: ``/ckan-broken``
(page 2 is cut-off JSON), ``/ckan-error`` (``success: false``), ``/ckan-html`` (an HTML page),
``/ckan-loop`` (ignores ``start``), ``/ckan-nocount`` (no ``count``: paging ends at an empty page).

data.egov.kz (site root): ``/api/v4/mapping/<apiUri>`` lists v1..v10 in string order (so a
string max would pick v9, which has no records); records honour ``from``/``size`` of the
decoded ``source`` JSON and demand ``apiKey=API_KEY`` (else 403 "API key is required").
Datasets: ``people`` (2,500 rows → 3 pages), ``exact`` (2,000 rows, the 3rd page is ``[]``),
``ends204`` (1,000 rows, then HTTP 204), ``broken`` (page 2 malformed), ``stuck`` (ignores
``from``). ``/datasets/search`` is the HTML catalogue.
"""

from __future__ import annotations

import io
import json
import random
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import requests
from openpyxl import Workbook

from govscan.net.model import FetchError, Response
from govscan.testing import synth

API_KEY = "k3y-SECRET-0042"
RNG = random.Random(20240516)
PEOPLE = [
    {"id": i + 1, "iin": synth.iin(RNG), "fio": synth.full_name(RNG), "address": synth.address(RNG)}
    for i in range(2500)
]
EGOV_TOTALS = {"people": 2500, "exact": 2000, "ends204": 1000, "broken": 2500, "stuck": 2500}
CSV_BODY = ("ИИН;ФИО\n" + "".join(f"{p['iin']};{p['fio']}\n" for p in PEOPLE[:20])).encode()
JSON_BODY = json.dumps([{"iin": p["iin"]} for p in PEOPLE[:5]], ensure_ascii=False).encode()


def _xlsx_body() -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["ИИН", "ФИО"])
    for person in PEOPLE[:5]:
        sheet.append([person["iin"], person["fio"]])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


FILES = {
    "/files/recipients.csv": ("text/csv; charset=utf-8", CSV_BODY),
    "/files/recipients.xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", _xlsx_body()),
    "/files/recipients.json": ("application/json", JSON_BODY),
    "/files/budget.csv": ("text/csv; charset=utf-8", "Год;Сумма\n2023;100\n".encode()),
}


def ckan_datasets() -> list[dict[str, object]]:
    """7 datasets: formats csv/xlsx/json, one without resources, one relative URL, one shared URL."""

    def res(i: int, path: str, fmt: str, mime: str | None, url: str | None = None) -> dict[str, object]:
        return {"id": f"r{i}", "name": f"resource {i}", "url": url if url is not None else path, "format": fmt,
                "mimetype": mime}  # fmt: skip

    return [
        {
            "id": "d1",
            "name": "recipients-2023",
            "title": {"ru": "Получатели", "kk": "Алушылар"},
            "resources": [res(1, "/files/recipients.csv", "CSV", "text/csv")],
        },  # fmt: skip
        {
            "id": "d2",
            "name": "recipients-xlsx",
            "title": "Получатели (Excel)",
            "resources": [res(2, "/files/recipients.xlsx", "XLSX", None)],
        },  # fmt: skip
        {
            "id": "d3",
            "name": "recipients-json",
            "title": "JSON",
            "resources": [
                res(3, "/files/recipients.json", "JSON", "application/json"),
                res(4, "", "CSV", None, url="ftp://files.example/x.csv"),  # not http(s): skipped
                res(5, "", "CSV", None, url=""),  # no URL: skipped
            ],
        },  # fmt: skip
        {
            "id": "d4",
            "name": "budget",
            "title": "Бюджет",
            "resources": [res(6, "/files/budget.csv", "csv", "text/csv")],
        },
        {"id": "d5", "name": "empty-dataset", "title": "Пустой набор", "resources": []},
        {"id": "d6", "name": "budget-copy", "title": "Копия", "resources": [res(7, "/files/budget.csv", "CSV", None)]},
        {
            "id": "d7",
            "name": "relative",
            "title": "Relative",
            "resources": [res(8, "files/recipients.csv", "CSV", None, url="files/recipients.csv")],
        },  # fmt: skip
    ]


class _Handler(BaseHTTPRequestHandler):
    server: PortalServer._Http

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
        parts = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        self.server.log.append(self.path)
        path = parts.path
        if path in FILES:
            self._send(200, FILES[path][1], FILES[path][0])
        elif "/api/3/action/" in path:
            root, _, action = path.partition("/api/3/action/")
            self._ckan(root, action, query)
        elif path.startswith("/api/v4/mapping/"):
            self._mapping(path.removeprefix("/api/v4/mapping/"))
        elif path.startswith("/api/v4/"):
            self._records(path.removeprefix("/api/v4/"), query)
        elif path == "/datasets/search":
            self._catalogue(query)
        else:
            self._send(404, b"not found", "text/plain")

    # --- CKAN -------------------------------------------------------------------------------

    def _ckan(self, root: str, action: str, query: dict[str, str]) -> None:
        if root == "/ckan-html":
            self._send(200, b"<!DOCTYPE html><html><body>Portal</body></html>", "text/html")
            return
        if root == "/ckan-error":
            error = {"message": "Access denied", "__type": "Authorization Error"}
            self._json(403, {"help": "…", "success": False, "error": error})
            return
        if root not in ("/ckan", "/ckan-broken", "/ckan-loop", "/ckan-nocount"):
            self._send(404, b"not found", "text/plain")
            return
        if action == "status_show":
            self._json(200, {"success": True, "result": {"ckan_version": "2.10.4", "site_title": "Open data"}})
            return
        if action != "package_search":
            self._json(400, {"success": False, "error": {"message": "Unknown action"}})
            return
        rows, start = int(query.get("rows", "10")), int(query.get("start", "0"))
        if root == "/ckan-broken" and start > 0:
            self._send(200, b'{"success": true, "result": {"count": 7, "results": [{"id": "d4", ', "application/json")
            return
        if root == "/ckan-loop":
            start = 0
        datasets = ckan_datasets()
        result: dict[str, object] = {"results": datasets[start : start + rows]}
        if root != "/ckan-nocount":
            result["count"] = len(datasets) if root != "/ckan-loop" else 1000
        self._json(200, {"success": True, "result": result})

    # --- data.egov.kz -----------------------------------------------------------------------

    def _mapping(self, api_uri: str) -> None:
        if api_uri not in EGOV_TOTALS:
            self._send(404, b"not found", "text/plain")
            return
        versions = sorted(f"v{n}" for n in range(1, 11))  # v1, v10, v2, … v9: string order
        self._json(200, {"apiUri": api_uri, "versions": versions, "fields": {"iin": {"type": "String"}}})

    def _records(self, rest: str, query: dict[str, str]) -> None:
        api_uri, _, version = rest.partition("/")
        if api_uri not in EGOV_TOTALS or version != "v10":
            self._send(404, b"not found", "text/plain")
            return
        if query.get("apiKey") != API_KEY:
            self._send(403, b"API key is required", "text/plain; charset=utf-8")
            return
        source = json.loads(query.get("source", "{}"))
        start, size = int(source.get("from", 0)), min(int(source.get("size", 10)), 1000)
        if api_uri == "stuck":
            start = 0
        total = EGOV_TOTALS[api_uri]
        if api_uri == "ends204" and start >= total:
            self.send_response(204)
            self.end_headers()
            return
        if api_uri == "broken" and start > 0:
            self._send(200, b'[{"iin": "1', "application/json")
            return
        self._json(200, PEOPLE[start : min(start + size, total)])

    def _catalogue(self, query: dict[str, str]) -> None:
        page = int(query.get("page", "1"))
        ids = ["people", "ends204"] if page == 1 else ["people"]
        links = "".join(f'<a href="/datasets/view?index={i}">{i}</a>' for i in ids)
        self._send(200, f"<html><body>{links}</body></html>".encode(), "text/html; charset=utf-8")

    # --- plumbing ---------------------------------------------------------------------------

    def _json(self, status: int, value: object) -> None:
        self._send(status, json.dumps(value, ensure_ascii=False).encode(), "application/json; charset=utf-8")

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@dataclass
class PortalServer:
    """The running fake portal: ``url`` of its root and ``log`` of every request path+query."""

    url: str
    log: list[str] = field(default_factory=list)

    class _Http(ThreadingHTTPServer):
        daemon_threads = True
        log: list[str]

    def requests_to(self, fragment: str) -> list[str]:
        return [entry for entry in self.log if fragment in entry]


@contextmanager
def portal_server() -> Iterator[PortalServer]:
    http = PortalServer._Http(("127.0.0.1", 0), _Handler)
    state = PortalServer(url=f"http://127.0.0.1:{http.server_address[1]}")
    http.log = state.log
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        http.shutdown()
        http.server_close()
        thread.join(5)


def requests_fetch(url: str) -> Response | FetchError:
    """The ``fetch`` plugins receive, built on ``requests`` as the real client would be."""
    try:
        r = requests.get(url, timeout=10)
    except requests.RequestException as exc:
        return FetchError(url, f"request failed: {exc}")
    return Response(url=url, status=r.status_code, headers=tuple(r.headers.items()), body=r.content, final_url=r.url)
