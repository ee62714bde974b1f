"""Real local HTTP sites for the exposure probes, and a small ``requests`` fetch that returns a ``Response``.

Each site is a ``ThreadingHTTPServer`` on 127.0.0.1, port 0, in a daemon thread; its answers come
from a route table plus a fallback, so one test can build a leaky portal, a catch-all SPA or a
site that forbids everything in a few lines.
"""

from __future__ import annotations

import json
import random
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import requests

from govscan.net.model import FetchError, Response
from govscan.rules import RuleSet, load_rules
from govscan.testing.synth import iin

Answer = tuple[int, dict[str, str], bytes]
Fallback = Callable[[str], Answer]
BODY_LIMIT = 2 * 1024 * 1024

SECRET_VALUE = "Sup3r-Secret-Pa55w0rd-DO-NOT-LEAK"
APP_KEY_VALUE = "base64:c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0"
SYNTHETIC_IIN = iin(random.Random(2019))


def text(body: str, status: int = 200, media: str = "text/plain; charset=utf-8", **headers: str) -> Answer:
    return status, {"Content-Type": media, **headers}, body.encode("utf-8")


def html(body: str, status: int = 200, **headers: str) -> Answer:
    return text(body, status, "text/html; charset=utf-8", **headers)


def as_json(value: object, status: int = 200, **headers: str) -> Answer:
    return status, {"Content-Type": "application/json", **headers}, json.dumps(value, indent=2).encode("utf-8")


def not_found(path: str) -> Answer:
    return html("<html><body><h1>404 Not Found</h1><hr><center>nginx</center></body></html>", 404)


# --- what a leaky portal serves ---------------------------------------------------------------

GIT_HEAD = text("ref: refs/heads/main\n")
GIT_CONFIG = text(
    "[core]\n\trepositoryformatversion = 0\n\tfilemode = true\n"
    '[remote "origin"]\n\turl = https://deploy:glpat-TOKEN123@git.example.kz/portal.git\n'
)
ENV_FILE = text(
    "APP_NAME=portal\nAPP_ENV=production\n"
    f"APP_KEY={APP_KEY_VALUE}\nDB_HOST=10.0.0.5\nDB_PASSWORD={SECRET_VALUE}\n"
    "# a comment\nexport MAIL_PASSWORD=mail-pass-xyz\n"
)
LISTING = html(
    "<html><head><title>Index of /backup/</title></head><body><h1>Index of /backup/</h1>"
    '<pre><a href="../">../</a>\n<a href="citizens-2023.xlsx">citizens-2023.xlsx</a>   12-Jan-2024 10:00  88K\n'
    '<a href="dump.sql">dump.sql</a>   12-Jan-2024 10:01  4K\n</pre></body></html>'
)
DUMP_SQL = text(
    "-- MySQL dump 10.13  Distrib 8.0.36\n"
    "CREATE TABLE `citizens` (`id` int, `full_name` varchar(200), `iin` char(12), `phone` varchar(20));\n"
    "INSERT INTO `citizens` VALUES "
    f"(1,'Иванов Иван Иванович','{SYNTHETIC_IIN}','+7 701 123 45 67'),"
    "(2,'Серікова Айгүл','000101600011','+7 777 000 00 00');\n",
    media="application/sql",
)
ZIP_ARCHIVE = (200, {"Content-Type": "application/zip"}, b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + b"\x00" * 40)
PHPINFO = html(
    "<!DOCTYPE html><html><head><title>PHP 8.1.2 - phpinfo()</title></head><body>"
    '<table><tr class="h"><td><h1 class="p">PHP Version 8.1.2-1ubuntu2.14</h1></td></tr></table>'
    '<tr><td class="e">DB_PASSWORD </td><td class="v">hunter2</td></tr></body></html>'
)
SERVER_STATUS = html(
    "<html><head><title>Apache Status</title></head><body><h1>Apache Server Status for portal.example.kz"
    " (via 10.0.0.2)</h1><dl><dt>Server Version: Apache/2.4.52 (Ubuntu)</dt>"
    "<dt>Total accesses: 1234</dt></dl><td>GET /cabinet?iin=900101300021 HTTP/1.1</td></body></html>"
)
NGINX_STATUS = text(
    "Active connections: 3 \nserver accepts handled requests\n 10 10 25 \nReading: 0 Writing: 1 Waiting: 2 \n"
)
SWAGGER = as_json(
    {"swagger": "2.0", "info": {"title": "Portal API", "version": "1.0"}, "paths": {"/api/citizen/{iin}": {}}}
)
OPENAPI = as_json({"openapi": "3.0.1", "info": {"title": "Portal API"}, "paths": {}})
SWAGGER_UI = html(
    '<!DOCTYPE html><html><head><title>Swagger UI</title></head><body><div id="swagger-ui"></div>'
    '<script src="./swagger-ui-bundle.js"></script></body></html>'
)
ES_ROOT = as_json(
    {
        "name": "node-1",
        "cluster_name": "egov-citizens",
        "cluster_uuid": "Zx3LrcEnQgqa0f3UVaQ1dg",
        "version": {"number": "6.8.2", "lucene_version": "7.7.0"},
        "tagline": "You Know, for Search",
    }
)
ES_HEALTH = as_json({"cluster_name": "egov-citizens", "status": "yellow", "number_of_nodes": 1})
ES_CAT = text("yellow open citizens-2019 abc123 5 1 11000000 0 4.2gb 4.2gb\ngreen open .kibana xyz 1 0 3 0 12kb 12kb\n")
KIBANA_STATUS = as_json(
    {"name": "kibana-prod", "version": {"number": "7.10.2"}, "status": {"overall": {"state": "green"}}},
    **{"kbn-name": "kibana-prod"},
)
KIBANA_APP = html(
    '<!DOCTYPE html><html><head><title>Elastic</title></head><body><kbn-injected-metadata data="{}">'
    "</kbn-injected-metadata></body></html>"
)
DJANGO_404 = html(
    "<!DOCTYPE html><html><head><title>Page not found at /govscan</title></head><body>"
    "<p>Using the URLconf defined in <code>portal.urls</code>, Django tried these URL patterns</p>"
    "<p>You're seeing this error because you have <code>DEBUG = True</code> in your Django settings file.</p>"
    "</body></html>",
    404,
)
ACTUATOR = as_json(
    {
        "_links": {
            "self": {"href": "http://portal/actuator", "templated": False},
            "env": {"href": "http://portal/actuator/env", "templated": False},
            "heapdump": {"href": "http://portal/actuator/heapdump", "templated": False},
        }
    },
    **{"Content-Type": "application/vnd.spring-boot.actuator.v3+json"},
)
ACTUATOR_ENV = as_json({"activeProfiles": ["prod"], "propertySources": [{"name": "server.ports"}]})
SYMFONY_PROFILER = html("<!DOCTYPE html><html><head><title>Symfony Profiler</title></head><body></body></html>")
IGNITION_HEALTH = as_json({"can_execute_commands": True})
WHOOPS = html('<html><body><div class="whoops-container">MethodNotAllowedHttpException</div></body></html>', 405)
SVN_WC_DB = (
    200,
    {"Content-Type": "application/octet-stream"},
    b"SQLite format 3\x00" + b"\x10\x00\x01\x01" + b"\x00" * 80,
)
SVN_ENTRIES = text("12\n")

LEAKY_ROUTES: dict[str, Answer] = {
    "/.git/HEAD": GIT_HEAD,
    "/.git/config": GIT_CONFIG,
    "/.env": ENV_FILE,
    "/backup/": LISTING,
    "/dump.sql": DUMP_SQL,
    "/phpinfo.php": PHPINFO,
    "/server-status": SERVER_STATUS,
    "/swagger.json": SWAGGER,
    "/": ES_ROOT,
}


# --- sites that answer everything ----------------------------------------------------------------

CATCH_ALL_PAGE = (
    "<!DOCTYPE html><html><head><title>Портал электронного правительства</title></head><body>"
    "<div id='app'>Загрузка…</div><script src='/static/app.3f9c2a.js'></script></body></html>"
)


def catch_all(path: str) -> Answer:
    """An SPA: every path is ``index.html`` with 200."""
    return html(CATCH_ALL_PAGE)


def catch_all_echo(path: str) -> Answer:
    """A CMS "not found" page with the wrong status that prints the path asked for."""
    return html(
        f"<!DOCTYPE html><html><head><title>Страница {path} не найдена</title></head><body>"
        f"<h1>Страница не найдена</h1><p>Запрошенный адрес {path} не существует.</p>"
        f"<a href='/'>На главную</a></body></html>"
    )


_counter = iter(range(10**9))


def catch_all_nonce(path: str) -> Answer:
    """A catch-all page with a per-request CSRF token and request counter."""
    n = next(_counter)
    token = random.Random(n).getrandbits(128)
    return html(f"{CATCH_ALL_PAGE}<input name=csrf value='{token:032x}'><!-- req {n} {n * 7919} -->")


def forbidden(path: str) -> Answer:
    return html("<html><body><h1>403 Forbidden</h1></body></html>", 403)


# --- server and client -----------------------------------------------------------------------------


class Site:
    """A running local site: ``url`` to probe, ``hits`` counts the paths asked for."""

    def __init__(self, routes: dict[str, Answer], fallback: Fallback) -> None:
        self.routes = routes
        self.fallback = fallback
        self.hits: list[str] = []
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
                path = self.path.split("?", 1)[0]
                site.hits.append(path)
                status, headers, body = site.routes[path] if path in site.routes else site.fallback(path)
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)

    def __enter__(self) -> Site:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@contextmanager
def serve(routes: dict[str, Answer] | None = None, fallback: Fallback = not_found) -> Iterator[Site]:
    with Site(dict(routes or {}), fallback) as site:
        yield site


def fetch(url: str) -> Response | FetchError:
    """What the real client would hand the probes, built with ``requests`` (redirects followed)."""
    try:
        with requests.get(url, timeout=5, stream=True, allow_redirects=True) as answer:
            body = answer.raw.read(BODY_LIMIT + 1, decode_content=True)
            return Response(
                url=url,
                status=answer.status_code,
                headers=tuple(answer.headers.items()),
                body=body[:BODY_LIMIT],
                final_url=answer.url,
                redirects=tuple(h.url for h in answer.history),
                truncated=len(body) > BODY_LIMIT,
                elapsed=answer.elapsed.total_seconds(),
            )
    except requests.RequestException as exc:
        return FetchError(url, type(exc).__name__)


def exposure_rules(*ids: str) -> RuleSet:
    """The bundled exposure rules, or only the ones named."""
    every = load_rules(plugins=False)
    chosen = {r.id: r for r in every.of_kind("exposure") if not ids or r.id in ids}
    assert not ids or set(chosen) == set(ids), f"unknown rule ids: {set(ids) - set(chosen)}"
    return RuleSet(chosen, {rid: every.sources[rid] for rid in chosen})
