"""A local demo portal with the exposures govscan exists to find, all synthetic.

A small akimat site on 127.0.0.1, over HTTP and (optionally) HTTPS with a deliberately weak
TLS setup (TLS 1.0 allowed, a certificate from a private lab CA). It publishes what real portals
leak: a page listing social-aid recipients with IINs, open datasets (CSV, JSON) holding personal
data, documents (a PDF list with a failed redaction and its author in the metadata, a scanned
order that only OCR reads, a Word decision with a table of applicants), a CKAN-style API listing them, an exposed ``.git``, a backup folder with a SQL dump, an
application form that posts IINs over plain HTTP, a session cookie without flags, version banners,
a CORS layer reflecting any origin with credentials, and no security headers. It also has what
a polite crawler must respect: robots.txt disallowing ``/admin/`` and a sitemap naming an
unlinked archive page.

Used by ``govscan demo``, by the tests of the crawler and scan pipeline, and by the report tests.
Every identifier is generated (valid control digits, random people).
"""

from __future__ import annotations

import html
import json
import random
import ssl
import tempfile
import threading
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from govscan.testing import synth

Route = tuple[int, str, bytes]  # status, content type, body
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@dataclass
class DemoData:
    """The synthetic people behind the demo's pages and files."""

    recipients: list[dict[str, str]] = field(default_factory=list)
    staff: list[dict[str, str]] = field(default_factory=list)
    _documents: dict[str, bytes] = field(default_factory=dict, repr=False, compare=False)

    def document(self, name: str) -> bytes:
        """A published document (PDF list, scanned order, Word decision), made once on first request."""
        from govscan.demo import documents

        if name not in self._documents:
            people = self.recipients
            make = {
                "recipients": lambda: documents.recipients_pdf(people[:12], self.staff[0]["name"], people[15]["iin"]),
                "order-scan": lambda: documents.scanned_order_pdf(people[16]),
                "decision": lambda: documents.decision_docx(people[17:20]),
            }[name]
            self._documents[name] = make()
        return self._documents[name]

    @classmethod
    def generate(cls, seed: int = 2019, people: int = 40) -> DemoData:
        rng = random.Random(seed)
        recipients = [
            {
                "name": synth.full_name(rng),
                "iin": synth.iin(rng),
                "phone": synth.mobile(rng, style=0),
                "address": synth.address(rng),
                "amount": str(rng.randrange(20_000, 120_000)),
            }  # fmt: skip
            for _ in range(people)
        ]
        staff = [{"name": synth.full_name(rng), "phone": synth.mobile(rng, style=0)} for _ in range(6)]
        return cls(recipients, staff)

    @property
    def iins(self) -> list[str]:
        return [r["iin"] for r in self.recipients]


class DemoPortal:
    """Serve the demo site; a context manager. ``requests`` records every path asked for."""

    def __init__(self, data: DemoData | None = None, *, https: bool = False, workdir: Path | None = None) -> None:
        self.data = data or DemoData.generate()
        self.https = https
        self.requests: list[str] = []
        self.hidden: set[str] = set()  # path prefixes answered 404, e.g. "/.git/" once "fixed"
        self._lock = threading.Lock()
        self._servers: list[ThreadingHTTPServer] = []
        self._threads: list[threading.Thread] = []
        self._tmp = tempfile.TemporaryDirectory(prefix="govscan-demo-") if workdir is None else None
        self.workdir = Path(self._tmp.name) if self._tmp else Path(workdir)  # type: ignore[arg-type]
        self.ca_file: Path | None = None
        self.http_port = 0
        self.https_port = 0

    @property
    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}/"

    @property
    def https_url(self) -> str:
        return f"https://127.0.0.1:{self.https_port}/"

    def start(self) -> DemoPortal:
        plain = self._serve(None)
        self.http_port = plain.server_address[1]
        if self.https:
            secure = self._serve(self._weak_tls_context())
            self.https_port = secure.server_address[1]
        return self

    def stop(self) -> None:
        for server in self._servers:
            server.shutdown()
            server.server_close()
        for thread in self._threads:
            thread.join(timeout=5)
        self._servers.clear()
        if self._tmp is not None:
            self._tmp.cleanup()

    def __enter__(self) -> DemoPortal:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def asked(self, path: str) -> bool:
        with self._lock:
            return any(p == path or p.startswith(path) for p in self.requests)

    # -- serving ------------------------------------------------------------------------------
    def _serve(self, context: ssl.SSLContext | None) -> ThreadingHTTPServer:
        portal = self

        class Handler(BaseHTTPRequestHandler):
            server_version = "nginx/1.14.0"  # a version banner: http.disclosure.server-version
            sys_version = ""
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                with portal._lock:
                    portal.requests.append(self.path)
                scheme = "https" if context is not None else "http"
                base = f"{scheme}://{self.headers.get('Host', '')}"
                if any(self.path.startswith(p) for p in portal.hidden):
                    status, media, body = route(portal.data, "/404", base)
                else:
                    status, media, body = route(portal.data, self.path, base)
                self.send_response(status)
                self.send_header("Content-Type", media)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("X-Powered-By", "PHP/5.6.40")
                if self.headers.get("Origin"):  # a CORS layer that reflects any origin, credentials allowed
                    self.send_header("Access-Control-Allow-Origin", self.headers["Origin"])
                    self.send_header("Access-Control-Allow-Credentials", "true")
                if media.startswith("text/html"):
                    self.send_header("Set-Cookie", "PHPSESSID=demo0session0id; path=/")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        server = _QuietServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        if context is not None:
            server.socket = context.wrap_socket(server.socket, server_side=True, do_handshake_on_connect=False)
        thread = threading.Thread(target=server.serve_forever, name="govscan-demo-portal", daemon=True)
        thread.start()
        self._servers.append(server)
        self._threads.append(thread)
        return server

    def _weak_tls_context(self) -> ssl.SSLContext:
        from govscan.testing.tls_lab import issue_leaf, lab_ca, lab_ca_file

        leaf = issue_leaf(lab_ca(), hostnames=["127.0.0.1", "localhost"])
        cert, key = leaf.write(self.workdir, stem="demo-portal")
        self.ca_file = lab_ca_file(self.workdir)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            context.minimum_version = ssl.TLSVersion.TLSv1  # deliberately weak: TLS 1.0 still accepted
        context.set_ciphers("DEFAULT:@SECLEVEL=0")
        context.load_cert_chain(cert, key)
        return context


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        """Scanners abort handshakes and connections on purpose: nothing to print."""


# --- the site ----------------------------------------------------------------------------------
def route(data: DemoData, raw_path: str, base: str) -> Route:
    parts = urlsplit(raw_path)
    path, query = parts.path, parse_qs(parts.query)
    pages: dict[str, Callable[[], Route]] = {
        "/": lambda: _page("Акимат города Демо", _index()),
        "/about": lambda: _page("Об акимате", "<p>Акимат города Демо — местный исполнительный орган.</p>"),
        "/contacts": lambda: _page("Контакты", _staff_table(data)),
        "/social/recipients": lambda: _page("Получатели адресной социальной помощи", _recipients_table(data)),
        "/apply": lambda: _page("Подать заявление", _form(base)),
        "/open-data": lambda: _page("Открытые данные", _open_data()),
        "/archive/2019": lambda: _page("Архив 2019", '<p><a href="/files/archive-2019.json">Выгрузка 2019</a></p>'),
        "/admin/": lambda: _page("Администрирование", "<p>Только для сотрудников.</p>"),
        "/robots.txt": lambda: (
            200,
            "text/plain",
            f"User-agent: *\nDisallow: /admin/\nSitemap: {base}/sitemap.xml\n".encode(),
        ),
        "/sitemap.xml": lambda: (200, "application/xml", _sitemap(base)),
        "/files/recipients.csv": lambda: (200, "text/csv; charset=utf-8", _recipients_csv(data)),
        "/files/archive-2019.json": lambda: (200, "application/json", _archive_json(data)),
        "/files/budget.csv": lambda: (200, "text/csv; charset=utf-8", _budget_csv()),
        "/files/recipients-2024.pdf": lambda: (200, "application/pdf", data.document("recipients")),
        "/files/order-47-scan.pdf": lambda: (200, "application/pdf", data.document("order-scan")),
        "/files/decision-12.docx": lambda: (200, DOCX, data.document("decision")),
        "/.git/HEAD": lambda: (200, "text/plain", b"ref: refs/heads/main\n"),
        "/.git/config": lambda: (200, "text/plain", b"[core]\n\trepositoryformatversion = 0\n\tbare = false\n"),
        "/backup/": lambda: (200, "text/html; charset=utf-8", _listing()),
        "/backup/db.sql": lambda: (200, "application/sql", _dump(data)),
        "/api/3/action/status_show": lambda: _json({"success": True, "result": {"ckan_version": "2.10.4"}}),
        "/api/3/action/package_search": lambda: _json(_ckan_search(base, query)),
    }
    if path.startswith("/news/") and path[6:].isdigit() and 1 <= int(path[6:]) <= 5:
        n = int(path[6:])
        return _page(f"Новость {n}", f"<p>Аким провёл приём граждан ({n}).</p><p><a href='/news/{n + 1}'>Далее</a></p>")
    handler = pages.get(path)
    if handler is None:
        return 404, "text/html; charset=utf-8", _html("Страница не найдена", "<p>404</p>")
    return handler()


def _html(title: str, body: str) -> bytes:
    nav = " | ".join(
        f'<a href="{href}">{label}</a>'
        for href, label in [
            ("/", "Главная"),
            ("/about", "Об акимате"),
            ("/contacts", "Контакты"),
            ("/open-data", "Открытые данные"),
            ("/apply", "Подать заявление"),
        ]  # fmt: skip
    )
    return (
        f'<!doctype html><html lang="ru"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
        f'<script src="http://cdn.example.kz/jquery.js"></script></head>'
        f"<body><nav>{nav}</nav><h1>{html.escape(title)}</h1>{body}"
        '<footer><a href="/admin/">Вход для сотрудников</a></footer></body></html>'
    ).encode()


def _page(title: str, body: str) -> Route:
    return 200, "text/html; charset=utf-8", _html(title, body)


def _json(value: Any) -> Route:
    return 200, "application/json", json.dumps(value, ensure_ascii=False).encode()


def _index() -> str:
    news = "".join(f'<li><a href="/news/{n}">Новость {n}</a></li>' for n in range(1, 4))
    return f'<p>Добро пожаловать на портал акимата.</p><ul>{news}</ul><p><a href="/social/recipients">Адресная помощь</a></p>'


def _staff_table(data: DemoData) -> str:
    rows = "".join(f"<tr><td>{html.escape(s['name'])}</td><td>{s['phone']}</td></tr>" for s in data.staff)
    return f"<table><tr><th>ФИО</th><th>Телефон</th></tr>{rows}</table>"


def _recipients_table(data: DemoData) -> str:
    rows = "".join(
        f"<tr><td>{html.escape(r['name'])}</td><td>{r['iin']}</td><td>{r['amount']}</td></tr>"
        for r in data.recipients[:15]
    )
    return f"<table><caption>Получатели</caption><tr><th>ФИО</th><th>ИИН</th><th>Сумма, тг</th></tr>{rows}</table>"


def _form(base: str) -> str:
    action = base.replace("https://", "http://") + "/apply/submit"
    return (
        f'<form method="post" action="{action}">'
        '<label for="iin">ИИН</label><input id="iin" name="iin">'
        '<label for="phone">Телефон</label><input id="phone" name="phone" type="tel">'
        '<input name="fio" placeholder="ФИО"><button>Отправить</button></form>'
    )


def _open_data() -> str:
    links = [
        ("/files/recipients.csv", "Получатели помощи (CSV)"),
        ("/files/budget.csv", "Бюджет (CSV)"),
        ("/files/recipients-2024.pdf", "Список получателей АСП на 01.03.2024 (PDF)"),
        ("/files/order-47-scan.pdf", "Приказ № 47-к (скан)"),
        ("/files/decision-12.docx", "Решение жилищной комиссии № 12 (Word)"),
    ]
    return "<ul>" + "".join(f'<li><a href="{h}">{t}</a></li>' for h, t in links) + "</ul>"


def _sitemap(base: str) -> bytes:
    urls = "".join(f"<url><loc>{base}{p}</loc></url>" for p in ("/", "/about", "/archive/2019"))
    return f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'.encode()


def _recipients_csv(data: DemoData) -> bytes:
    lines = ["ФИО;ИИН;Телефон;Адрес;Сумма"] + [
        f"{r['name']};{r['iin']};{r['phone']};{r['address']};{r['amount']}" for r in data.recipients
    ]
    return ("\n".join(lines) + "\n").encode("utf-8")


def _budget_csv() -> bytes:
    return "Статья,Сумма\nОбразование,1200000\nЗдравоохранение,980000\n".encode()


def _archive_json(data: DemoData) -> bytes:
    items = [{"applicant": {"full_name": r["name"], "iin": r["iin"]}, "year": 2019} for r in data.recipients[20:]]
    return json.dumps({"items": items}, ensure_ascii=False).encode()


def _listing() -> bytes:
    return (
        b"<html><head><title>Index of /backup/</title></head><body><h1>Index of /backup/</h1>"
        b'<pre><a href="../">../</a>\n<a href="db.sql">db.sql</a>   12-Mar-2019 10:04   48K\n</pre></body></html>'
    )


def _dump(data: DemoData) -> bytes:
    rows = ",\n".join(f"({n}, '{r['name']}', '{r['iin']}', '{r['phone']}')" for n, r in enumerate(data.recipients, 1))
    return (
        "-- MySQL dump 10.13\nCREATE TABLE `citizens` (`id` int, `fio` varchar(255), `iin` char(12), `phone` varchar(20));\n"
        f"INSERT INTO `citizens` VALUES {rows};\n"
    ).encode()


def _ckan_search(base: str, query: dict[str, list[str]]) -> dict[str, Any]:
    datasets = [
        {"name": "social-aid-recipients", "title": "Получатели адресной социальной помощи",
         "resources": [{"url": f"{base}/files/recipients.csv", "format": "CSV", "name": "recipients"}]},
        {"name": "budget", "title": "Бюджет", "resources": [{"url": f"{base}/files/budget.csv", "format": "CSV"}]},
    ]  # fmt: skip
    start = int((query.get("start") or ["0"])[0])
    rows = int((query.get("rows") or ["10"])[0])
    return {"success": True, "result": {"count": len(datasets), "results": datasets[start : start + rows]}}
