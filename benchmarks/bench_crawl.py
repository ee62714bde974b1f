"""Crawl a generated local site of 2,000 pages, rate limiting off: pages per second, peak memory, state size.

    python benchmarks/bench_crawl.py [--pages 2000] [--concurrency 4]

The site runs in a separate process (a ThreadingHTTPServer on 127.0.0.1) so its work does not
count against the crawler's memory. Each page links to its two children in a binary tree (so every
page is reachable within ~11 levels) and to eight pseudo-random others, plus a form and a few
subresources. The trap limit on path variants is raised for this run: every page is ``/p/<n>``,
which the default budget (100 variants per digit template) would rightly stop at 100 pages.
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from govscan.net.client import ClientSettings
from govscan.net.model import FetchError, Page
from govscan.net.scope import TrapLimits
from govscan.sources.crawl import Crawler, CrawlSettings, DataLink


def _page(n: int, total: int) -> bytes:
    children = [c for c in (2 * n + 1, 2 * n + 2) if c < total]
    others = [(n * 7919 + k * 104729) % total for k in range(8)]
    links = "".join(f'<li><a href="/p/{m}">Страница {m}</a></li>' for m in children + others)
    data = f'<a href="/data/export-{n}.csv">CSV</a>' if n % 50 == 0 else ""
    return (
        f'<!doctype html><html><head><meta charset="utf-8"><title>Страница {n}</title>'
        f'<link rel="stylesheet" href="/static/site.css"><script src="/static/app.js"></script></head>'
        f"<body><h1>Страница {n}</h1><ul>{links}</ul>{data}"
        f'<form action="/search" method="get"><input name="q" placeholder="Поиск"></form>'
        f"<p>{'Мәтін ' * 300}</p></body></html>"
    ).encode()


def _serve(total: int, ports: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body in two writes must not wait 40 ms for an ACK

        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
            path = self.path
            if path == "/":
                body, status = _page(0, total), 200
            elif path.startswith("/p/") and path[3:].isdigit() and int(path[3:]) < total:
                body, status = _page(int(path[3:]), total), 200
            else:
                body, status = b"not found", 404
            self.send_response(status)
            self.send_header("Content-Type", "text/html; charset=utf-8" if status == 200 else "text/plain")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    ports.put(server.server_address[1])
    server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=4)
    args = parser.parse_args()

    ports: multiprocessing.Queue = multiprocessing.Queue()  # type: ignore[type-arg]
    site = multiprocessing.Process(target=_serve, args=(args.pages, ports), daemon=True)
    site.start()
    try:
        port = ports.get(timeout=10)
        settings = CrawlSettings(
            max_pages=args.pages + 100,
            max_depth=50,
            trap_limits=TrapLimits(max_path_variants=10 * args.pages),
        )
        client_settings = ClientSettings(rate=None, concurrency=args.concurrency)
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        crawler = Crawler(None, settings, client_settings=client_settings)
        pages = data = errors = 0
        started = time.perf_counter()
        for item in crawler.crawl(f"http://127.0.0.1:{port}/"):
            if isinstance(item, Page):
                pages += 1
            elif isinstance(item, DataLink):
                data += 1
            elif isinstance(item, FetchError):
                errors += 1
        elapsed = time.perf_counter() - started
        rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        stats = crawler.client.stats if crawler.client else None
    finally:
        site.terminate()
        site.join(5)

    print(f"site: {args.pages} pages, concurrency {args.concurrency}, rate limit off")
    print(f"pages: {pages}  data links: {data}  errors: {errors}  in {elapsed:.2f} s")
    print(f"pages/second: {pages / elapsed:.0f}")
    if stats is not None:
        print(f"requests: {stats.requests}  bytes read: {stats.bytes_read / 1e6:.1f} MB")
    print(f"peak RSS: {rss_after / 1024:.1f} MiB (before the crawl: {rss_before / 1024:.1f} MiB)")
    print(f"crawl state at the end: {crawler.state_size()}  skipped: {crawler.skipped}  dropped: {crawler.dropped}")


if __name__ == "__main__":
    main()
