"""Exposure probes: matchers judge a Response, the schema stays strict, run_probes finds leaks on a
real local site and nothing at all on catch-all, path-echoing, nonce-carrying or forbidding sites."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import ValidationError

from govscan.net.model import FetchError, Response
from govscan.rules.probe import Matcher, ProbeGroup, ProbeSpec
from govscan.testing.beside import load_beside
from govscan.testing.synth import control_digit
from govscan.web.matchers import body_text, evidence_captures, group_matches, matches
from govscan.web.probes import looks_like, make_baseline, run_probes, sibling_path, site_root

fx = load_beside(__file__, "fixtures_exposure.py")
KEY = b"test-key"


def response(body: bytes | str = b"", status: int = 200, **headers: str) -> Response:
    raw = body.encode("utf-8") if isinstance(body, str) else body
    return Response(url="https://portal.kz/x", status=status, headers=tuple(headers.items()), body=raw)


# --- matchers -----------------------------------------------------------------------------------


def test_a_matcher_checks_exactly_the_fields_it_states() -> None:
    ok = response("ref: refs/heads/main\n", 200)
    assert matches(Matcher(), ok)
    assert matches(Matcher(status=[200, 206]), ok)
    assert not matches(Matcher(status=[404]), ok)
    assert matches(Matcher(status=[200], body_regex=r"^ref: refs/"), ok)
    assert not matches(Matcher(status=[200], body_regex=r"\[core\]"), ok)
    assert matches(Matcher(min_bytes=5), ok) and not matches(Matcher(min_bytes=500), ok)


def test_not_body_regex_vetoes_a_hit() -> None:
    env_in_html = response("<!doctype html>\nAPP_KEY=shown in a tutorial\n")
    matcher = Matcher(body_regex=r"(?m)^[A-Z_]+=", not_body_regex=r"(?i)<!doctype")
    assert not matches(matcher, env_in_html)
    assert matches(matcher, response("APP_KEY=x\n"))


def test_header_presence_and_header_regex() -> None:
    kibana = response("{}", **{"kbn-name": "kibana-prod", "Server": "nginx/1.18.0"})
    assert matches(Matcher(header="KBN-NAME"), kibana)  # names are case-insensitive
    assert matches(Matcher(header="kbn-name", header_regex=r"^kibana"), kibana)
    assert not matches(Matcher(header="kbn-name", header_regex=r"^elastic"), kibana)
    assert not matches(Matcher(header="x-powered-by"), kibana)
    assert matches(Matcher(header_regex=r"(?i)^server: nginx/1\."), kibana)  # any header line
    assert not matches(Matcher(header_regex=r"(?i)^server: apache"), kibana)


def test_header_regex_sees_every_value_of_a_repeated_header() -> None:
    cookies = Response("u", 200, (("Set-Cookie", "a=1"), ("Set-Cookie", "laravel_session=2")))
    assert matches(Matcher(header="set-cookie", header_regex="laravel_session"), cookies)


def test_media_types_with_parameters_and_wildcards() -> None:
    zipped = response(b"PK\x03\x04", **{"Content-Type": "Application/ZIP; name=x"})
    assert matches(Matcher(media_types=["application/zip", "application/x-zip-compressed"]), zipped)
    assert matches(Matcher(media_types=["application/*"]), zipped)
    assert not matches(Matcher(media_types=["text/html"]), zipped)
    assert not matches(Matcher(media_types=["text/*"]), response("x"))  # no Content-Type at all


def test_binary_magic_matches_through_latin1() -> None:
    zipped = response(b"PK\x03\x04\x14\x00\xff\xfe")
    gz = response(b"\x1f\x8b\x08\x00")
    assert matches(Matcher(body_regex=r"\APK\x03\x04"), zipped)
    assert matches(Matcher(body_regex=r"\A\x1f\x8b"), gz)
    assert not matches(Matcher(body_regex=r"\APK\x03\x04"), gz)


def test_body_patterns_only_search_a_bounded_prefix() -> None:
    late = response(b"x" * 1000 + b"CREATE TABLE t")
    assert matches(Matcher(body_regex="CREATE TABLE"), late)
    assert not matches(Matcher(body_regex="CREATE TABLE"), late, limit=500)
    assert len(body_text(late, 10)) == 10


def test_condition_all_and_any() -> None:
    group_all = ProbeGroup(paths=["/a"], matchers=[Matcher(status=[200]), Matcher(body_regex="phpinfo")])
    group_any = group_all.model_copy(update={"condition": "any"})
    only_status = response("hello")
    assert not group_matches(group_all, only_status)
    assert group_matches(group_any, only_status)
    assert group_matches(group_all, response("phpinfo()"))
    assert not group_matches(group_any, response("nothing", 404))


def test_evidence_quotes_only_what_the_pattern_captures() -> None:
    env = response(f"APP_KEY=base64:abc\nDB_PASSWORD={fx.SECRET_VALUE}\nAPP_KEY=again\n")
    names = evidence_captures(r"(?m)^([A-Z_][A-Z0-9_]*)=", env, every=True)
    assert names == ["APP_KEY", "DB_PASSWORD"]
    assert evidence_captures(r"(?m)^([A-Z_][A-Z0-9_]*)=", env) == ["APP_KEY"]
    assert evidence_captures(None, env) == []
    utf8 = response("ref: refs/heads/релиз\n".encode())
    assert evidence_captures(r"(ref: refs/\S+)", utf8) == ["ref: refs/heads/релиз"]
    long = evidence_captures(r"(x+)", response("x" * 500))
    assert len(long[0]) <= 60


# --- the schema -----------------------------------------------------------------------------------


def test_the_original_probe_shape_still_validates() -> None:
    spec = ProbeSpec.model_validate({"paths": ["/.git/HEAD"], "matchers": [{"status": [200], "body_regex": "ref: "}]})
    (group,) = spec.groups()
    assert group.paths == ["/.git/HEAD"] and group.soft_404_guard is True and spec.scan_as_dataset is False


@pytest.mark.parametrize(
    "bad",
    [
        {"paths": [".git/HEAD"], "matchers": [{}]},  # not rooted
        {"paths": ["/a"], "matchers": []},  # a path without proof
        {"paths": [], "matchers": [{"status": [200]}]},  # proof without a path
        {},  # nothing to ask
        {"paths": ["/a"], "matchers": [{"body_regex": "("}]},  # broken regex
        {"paths": ["/a"], "matchers": [{"bodyregex": "x"}]},  # typo
        {"probes": [{"paths": ["/a"], "matchers": [{}], "evidence_regex": "["}]},
        {"probes": [{"paths": ["a"], "matchers": [{}]}]},
    ],
)
def test_broken_probes_are_refused(bad: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        ProbeSpec.model_validate(bad)


def test_groups_inherit_the_rules_evidence_and_guard_unless_they_set_their_own() -> None:
    spec = ProbeSpec.model_validate(
        {
            "evidence_regex": "(x)",
            "soft_404_guard": True,
            "probes": [
                {"paths": ["/a"], "matchers": [{}]},
                {"paths": ["/b"], "matchers": [{}], "evidence_regex": "(y)", "soft_404_guard": False},
            ],
        }
    )
    first, second = spec.groups()
    assert (first.evidence_regex, first.soft_404_guard) == ("(x)", True)
    assert (second.evidence_regex, second.soft_404_guard) == ("(y)", False)


# --- soft-404 helpers -------------------------------------------------------------------------------


def test_site_root_and_sibling_paths() -> None:
    assert site_root("https://portal.gov.kz/ru/services?x=1") == "https://portal.gov.kz"
    with pytest.raises(ValueError):
        site_root("/relative")
    assert sibling_path("/.git/HEAD", "T") == "/.git/govscan-T"
    assert sibling_path("/backup/", "T") == "/govscan-T/"
    assert sibling_path("/dump.sql", "T") == "/govscan-T.sql"
    assert sibling_path("/.env", "T") == "/govscan-T"


def test_a_page_that_echoes_the_path_looks_like_its_baseline() -> None:
    def page(path: str) -> Response:
        return Response(f"https://p.kz{path}", 200, (), f"<h1>Page {path} not found</h1> req 12345678".encode())

    base = make_baseline("/govscan-abc", page("/govscan-abc"), "https://p.kz")
    assert looks_like(page("/.git/HEAD"), "/.git/HEAD", base, "https://p.kz")
    real = Response("https://p.kz/.git/HEAD", 200, (), b"ref: refs/heads/main\n")
    assert not looks_like(real, "/.git/HEAD", base, "https://p.kz")
    assert not looks_like(page("/x").__class__("u", 404, (), page("/x").body), "/x", base)


def test_answers_redirected_to_the_same_place_look_alike() -> None:
    home = Response("https://p.kz/govscan-1", 200, (), b"home", final_url="https://p.kz/home")
    probe = Response("https://p.kz/.env", 200, (), b"APP_KEY=x", final_url="https://p.kz/home")
    assert looks_like(probe, "/.env", make_baseline("/govscan-1", home))


# --- run_probes against real local sites ------------------------------------------------------------


@pytest.fixture(scope="module")
def leaky() -> Any:
    with fx.serve(fx.LEAKY_ROUTES) as site:
        yield site


@pytest.fixture(scope="module")
def leaky_result(leaky: Any) -> Any:
    return run_probes(leaky.url + "/ru/services", fx.exposure_rules(), KEY, fx.fetch)


def test_a_leaky_portal_yields_one_finding_per_exposed_rule(leaky: Any, leaky_result: Any) -> None:
    found = {f.rule_id: f for f in leaky_result.findings}
    assert set(found) == {
        "exposure.git",
        "exposure.env",
        "exposure.directory-listing",
        "exposure.backup",
        "exposure.phpinfo",
        "exposure.server-status",
        "exposure.openapi",
        "exposure.elasticsearch",
    }
    assert len(leaky_result.findings) == len(found)
    git = found["exposure.git"]
    assert git.location.uri == f"{leaky.url}/.git/HEAD"
    assert "answered 200" in git.evidence and '"ref: refs/heads/main"' in git.evidence
    assert git.severity.label == "critical" and git.entity is None and git.compliance
    assert found["exposure.elasticsearch"].location.uri == f"{leaky.url}/"
    assert "Index of /backup/" in found["exposure.directory-listing"].evidence
    assert "citizens" in found["exposure.backup"].evidence  # the table name, never a row
    assert leaky_result.errors == []


def test_env_findings_name_variables_but_never_echo_a_value(leaky_result: Any) -> None:
    (env,) = [f for f in leaky_result.findings if f.rule_id == "exposure.env"]
    assert "APP_KEY" in env.evidence and "DB_PASSWORD" in env.evidence and "MAIL_PASSWORD" in env.evidence
    dumped = json.dumps([f.as_dict() for f in leaky_result.findings], ensure_ascii=False)
    for secret in (fx.SECRET_VALUE, fx.APP_KEY_VALUE, "mail-pass-xyz", "glpat-TOKEN123", "hunter2", "10.0.0.5"):
        assert secret not in dumped
    assert fx.SYNTHETIC_IIN not in dumped and "900101300021" not in dumped


def test_dumps_come_back_to_be_scanned_for_personal_data(leaky: Any, leaky_result: Any) -> None:
    datasets = leaky_result.datasets
    assert [d.url for d in datasets] == [f"{leaky.url}/dump.sql"]
    assert fx.SYNTHETIC_IIN.encode() in datasets[0].body
    assert control_digit(fx.SYNTHETIC_IIN[:11]) == int(fx.SYNTHETIC_IIN[11])  # a valid, synthetic IIN


def test_fingerprints_are_per_site_and_rule_and_stable(leaky: Any, leaky_result: Any) -> None:
    again = run_probes(leaky.url, fx.exposure_rules("exposure.git"), KEY, fx.fetch)
    first = {f.rule_id: f.fingerprint for f in leaky_result.findings}
    assert again.findings[0].fingerprint == first["exposure.git"]
    assert len(set(first.values())) == len(first)
    other_key = run_probes(leaky.url, fx.exposure_rules("exposure.git"), b"other", fx.fetch)
    assert other_key.findings[0].fingerprint != first["exposure.git"]


def test_each_path_is_asked_once_and_baselines_first(leaky: Any) -> None:
    before = len(leaky.hits)
    result = run_probes(leaky.url, fx.exposure_rules(), KEY, fx.fetch)
    asked = leaky.hits[before:]
    assert asked[0].startswith("/govscan-") and asked[1].startswith("/govscan-") and asked[1].endswith(".php")
    assert len(asked) == len(set(asked)) == result.requests
    assert result.requests < 90


def test_real_exposures_behind_a_catch_all_spa_are_still_found() -> None:
    with fx.serve({"/.git/HEAD": fx.GIT_HEAD, "/.env": fx.ENV_FILE, "/dump.sql": fx.DUMP_SQL}, fx.catch_all) as site:
        result = run_probes(site.url, fx.exposure_rules(), KEY, fx.fetch)
    assert {f.rule_id for f in result.findings} == {"exposure.git", "exposure.env", "exposure.backup"}


@pytest.mark.parametrize(
    "fallback", ["catch_all", "catch_all_echo", "catch_all_nonce", "forbidden", "not_found"], ids=str
)
def test_sites_that_answer_every_path_alike_yield_no_findings(fallback: str) -> None:
    with fx.serve({}, getattr(fx, fallback)) as site:
        result = run_probes(site.url, fx.exposure_rules(), KEY, fx.fetch)
    assert result.findings == [] and result.datasets == [] and result.errors == []


def test_a_catch_all_that_redirects_everything_home_yields_no_findings() -> None:
    home = fx.html("<html><body>ref: refs/heads/main\nCREATE TABLE x; APP_KEY=1</body></html>")
    with fx.serve({"/home": home}, lambda path: (302, {"Location": "/home"}, b"")) as site:
        result = run_probes(site.url, fx.exposure_rules(), KEY, fx.fetch)
    assert result.findings == []


def test_a_catch_all_whose_page_satisfies_a_rule_is_not_a_proof() -> None:
    """Every path answers 'ref: refs/heads/main' (e.g. a misrouted static file): proves nothing."""
    with fx.serve({}, lambda path: fx.text("ref: refs/heads/main\n")) as site:
        result = run_probes(site.url, fx.exposure_rules("exposure.git"), KEY, fx.fetch)
    assert result.findings == []


def test_fetch_errors_are_collected_and_probing_stops_after_a_run_of_them() -> None:
    calls: list[str] = []

    def down(url: str) -> Response | FetchError:
        calls.append(url)
        return FetchError(url, "connection refused")

    result = run_probes("https://down.example.kz", fx.exposure_rules(), KEY, down)
    assert result.findings == [] and len(calls) == 5
    assert len(result.errors) == 6 and "stopped" in result.errors[-1].problem


def test_a_fetch_that_raises_becomes_a_fetch_error() -> None:
    def broken(url: str) -> Response | FetchError:
        raise RuntimeError("boom\nsecond line")

    result = run_probes("https://x.kz", fx.exposure_rules("exposure.git"), KEY, broken)
    assert result.errors and result.errors[0].problem == "RuntimeError: boom second line"


def test_no_exposure_rules_no_requests() -> None:
    from govscan.rules import RuleSet

    result = run_probes("https://x.kz", RuleSet({}, {}), KEY, lambda url: pytest.fail("fetched"))
    assert result.requests == 0 and result.findings == []
