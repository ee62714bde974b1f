"""Scope, URL normalisation and crawler-trap limits."""

from __future__ import annotations

import re

import pytest

from govscan.net.scope import Scope, TrapDetector, TrapLimits, normalise


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("HTTP://Portal.KZ:80/a/./b/../c?b=2&a=1#frag", "http://portal.kz/a/c?a=1&b=2"),
        ("https://portal.kz:443", "https://portal.kz/"),
        ("https://portal.kz:8443/x", "https://portal.kz:8443/x"),
        ("http://portal.kz//a///b/", "http://portal.kz/a/b/"),
        ("http://portal.kz/news?utm_source=mail&id=5&utm_medium=x&fbclid=1", "http://portal.kz/news?id=5"),
        ("http://portal.kz/a/..", "http://portal.kz/"),
        ("http://portal.kz/../../etc", "http://portal.kz/etc"),
        ("http://user:secret@portal.kz/", "http://portal.kz/"),
        ("http://portal.kz/%7e?q=a+b", "http://portal.kz/~?q=a+b"),  # as requests sends it: unreserved decoded
        ("http://portal.kz/~?q=a+b", "http://portal.kz/~?q=a+b"),
        ("http://portal.kz/путь", "http://portal.kz/%D0%BF%D1%83%D1%82%D1%8C"),
        ("https://сайт.қаз/", "https://xn--80aswg.xn--80ao21a/"),
        ("http://[::1]:8080/x", "http://[::1]:8080/x"),
    ],
)
def test_normalise_gives_one_spelling_per_page(url: str, expected: str) -> None:
    assert normalise(url) == expected


@pytest.mark.parametrize(
    "url",
    ["mailto:info@portal.kz", "javascript:void(0)", "tel:+77172", "ftp://portal.kz/", "http://", "http://host:99999/"],
)
def test_normalise_rejects_what_is_not_an_http_url(url: str) -> None:
    assert normalise(url) is None


def test_normalise_resolves_relative_links_against_a_base() -> None:
    assert normalise("../b?x=1#y", "http://portal.kz/a/c/d") == "http://portal.kz/a/b?x=1"
    assert normalise("//cdn.example/x.js", "https://portal.kz/") == "https://cdn.example/x.js"


def test_scope_is_the_target_host_over_http_and_https() -> None:
    scope = Scope.for_target("https://portal.kz/ru/")
    assert "http://portal.kz/anything" in scope
    assert "https://PORTAL.kz:443/x" in scope
    assert scope.why_not("https://www.portal.kz/") == "host www.portal.kz is not portal.kz"
    assert scope.why_not("https://portal.kz:8443/") == "port 8443 is not 443"
    assert "ftp://portal.kz/" not in scope


def test_a_target_on_a_port_keeps_that_port_only() -> None:
    scope = Scope.for_target("http://127.0.0.1:8080/")
    assert "http://127.0.0.1:8080/x" in scope
    assert "http://127.0.0.1/x" not in scope
    assert "http://localhost:8080/x" not in scope


def test_exclude_patterns_as_glob_or_regex() -> None:
    scope = Scope.for_target("https://portal.kz/", exclude=("/logout*", "re:[?&]print=1", re.compile(r"\.pdf$")))
    assert scope.why_not("https://portal.kz/logout?next=/") == "matches exclude pattern /logout*"
    assert "https://portal.kz/news?id=1&print=1" not in scope
    assert "https://portal.kz/doc.pdf" not in scope
    assert "https://portal.kz/news?id=1" in scope


def test_include_patterns_narrow_the_crawl_but_not_where_redirects_may_land() -> None:
    scope = Scope.for_target("https://portal.kz/", include=("https://portal.kz/ru/*",), exclude=("/admin*",))
    assert "https://portal.kz/ru/news" in scope
    assert scope.why_not("https://portal.kz/kk/news") == "matches no include pattern"
    assert scope.redirect_problem("https://portal.kz/kk/news") is None
    assert scope.redirect_problem("https://portal.kz/admin/") is not None
    assert scope.redirect_problem("https://evil.example/") is not None


def test_a_calendar_ends_after_the_per_path_query_budget() -> None:
    traps = TrapDetector(TrapLimits(max_query_variants=20))
    admitted = [m for m in range(1, 1000) if traps.admit(f"http://portal.kz/calendar?month={m}") is None]
    assert len(admitted) == 20
    assert traps.admit("http://portal.kz/news?id=1") is None  # other paths keep their own budget


def test_a_path_calendar_ends_after_the_per_template_budget() -> None:
    traps = TrapDetector(TrapLimits(max_path_variants=30))
    admitted = [d for d in range(2000) if traps.admit(f"http://portal.kz/events/{2000 + d // 12}/{d % 12 + 1}") is None]
    assert len(admitted) == 30


def test_repeated_path_segments_are_refused() -> None:
    traps = TrapDetector()
    assert traps.admit("http://portal.kz/a/b/a/b/a/b") == "path repeats a sequence of segments"
    assert traps.admit("http://portal.kz/x/x/x/x/y") == "path repeats a segment"
    assert traps.admit("http://portal.kz/a/b/a/b") is None


def test_deep_and_long_urls_are_refused() -> None:
    traps = TrapDetector(TrapLimits(max_segments=5, max_url_length=100))
    assert traps.admit("http://portal.kz/1/2/3/4/5/6") == "path deeper than 5 segments"
    assert traps.admit("http://portal.kz/?q=" + "x" * 200) == "URL longer than 100 characters"


def test_check_does_not_spend_the_budget() -> None:
    traps = TrapDetector(TrapLimits(max_query_variants=1))
    assert traps.check("http://portal.kz/c?m=1") is None
    assert traps.check("http://portal.kz/c?m=2") is None
    assert traps.admit("http://portal.kz/c?m=1") is None
    assert traps.admit("http://portal.kz/c?m=2") is not None


def test_digits_in_the_host_or_port_do_not_make_every_page_a_variant() -> None:
    traps = TrapDetector(TrapLimits(max_path_variants=2))
    assert all(traps.admit(f"http://127.0.0.1:8080/page-{name}") is None for name in "abcdef")
