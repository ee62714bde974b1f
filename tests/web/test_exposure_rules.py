"""Every bundled exposure rule: documented, validated, and both hit and missed on a real local site."""

from __future__ import annotations

import pytest

from govscan.rules import load_rules
from govscan.testing.beside import load_beside
from govscan.web.probes import run_probes

fx = load_beside(__file__, "fixtures_exposure.py")
KEY = b"test-key"

RULE_IDS = {
    "exposure.git": {"critical"},
    "exposure.svn": {"high", "critical"},
    "exposure.env": {"high", "critical"},
    "exposure.directory-listing": {"medium"},
    "exposure.backup": {"high", "critical"},
    "exposure.phpinfo": {"medium"},
    "exposure.server-status": {"medium"},
    "exposure.openapi": {"low", "medium"},
    "exposure.debug-page": {"medium"},
    "exposure.elasticsearch": {"high", "critical"},
    "exposure.kibana": {"high", "medium"},
}

# rule id → (routes, the path that must prove it, text the evidence must hold)
HITS = [
    ("exposure.git", {"/.git/HEAD": fx.GIT_HEAD}, "/.git/HEAD", "ref: refs/heads/main"),
    ("exposure.git", {"/.git/config": fx.GIT_CONFIG}, "/.git/config", "[core]"),
    ("exposure.svn", {"/.svn/wc.db": fx.SVN_WC_DB}, "/.svn/wc.db", "SQLite format 3"),
    ("exposure.svn", {"/.svn/entries": fx.SVN_ENTRIES}, "/.svn/entries", "format: 12"),
    ("exposure.env", {"/.env": fx.ENV_FILE}, "/.env", "variables: APP_NAME"),
    ("exposure.env", {"/.env.production": fx.ENV_FILE}, "/.env.production", "DB_PASSWORD"),
    ("exposure.env", {"/.env.local": fx.ENV_FILE}, "/.env.local", "APP_KEY"),
    ("exposure.directory-listing", {"/backup/": fx.LISTING}, "/backup/", "Index of /backup/"),
    (
        "exposure.directory-listing",
        {"/uploads/": fx.html("<html><title>Directory listing for /uploads/</title><ul></ul></html>")},
        "/uploads/",
        "Directory listing for /uploads/",
    ),
    ("exposure.backup", {"/dump.sql": fx.DUMP_SQL}, "/dump.sql", "tables: citizens"),
    ("exposure.backup", {"/backup.zip": fx.ZIP_ARCHIVE}, "/backup.zip", "application/zip"),
    (
        "exposure.backup",
        {"/backup.tar.gz": (200, {"Content-Type": "application/gzip"}, b"\x1f\x8b\x08\x00" + b"\x00" * 60)},
        "/backup.tar.gz",
        "answered 200",
    ),
    ("exposure.phpinfo", {"/phpinfo.php": fx.PHPINFO}, "/phpinfo.php", "PHP Version 8.1.2"),
    ("exposure.phpinfo", {"/info.php": fx.PHPINFO}, "/info.php", "PHP Version"),
    ("exposure.server-status", {"/server-status": fx.SERVER_STATUS}, "/server-status", "Apache Server Status"),
    ("exposure.server-status", {"/nginx_status": fx.NGINX_STATUS}, "/nginx_status", "Active connections"),
    ("exposure.openapi", {"/swagger.json": fx.SWAGGER}, "/swagger.json", '"swagger": "2.0"'),
    ("exposure.openapi", {"/v3/api-docs": fx.OPENAPI}, "/v3/api-docs", '"openapi": "3.0.1"'),
    ("exposure.openapi", {"/swagger-ui.html": fx.SWAGGER_UI}, "/swagger-ui.html", "Swagger UI"),
    ("exposure.debug-page", {"/actuator": fx.ACTUATOR}, "/actuator", "endpoints: env, heapdump"),
    ("exposure.debug-page", {"/actuator/env": fx.ACTUATOR_ENV}, "/actuator/env", "activeProfiles"),
    ("exposure.debug-page", {"/_profiler": fx.SYMFONY_PROFILER}, "/_profiler", "Symfony Profiler"),
    ("exposure.debug-page", {"/_ignition/health-check": fx.IGNITION_HEALTH}, "/_ignition/health-check", "true"),
    ("exposure.debug-page", {"/_ignition/execute-solution": fx.WHOOPS}, "/_ignition/execute-solution", "405"),
    ("exposure.elasticsearch", {"/": fx.ES_ROOT}, "/", "You Know, for Search"),
    ("exposure.elasticsearch", {"/_cluster/health": fx.ES_HEALTH}, "/_cluster/health", "yellow"),
    ("exposure.elasticsearch", {"/_cat/indices": fx.ES_CAT}, "/_cat/indices", "indices: citizens-2019, .kibana"),
    ("exposure.kibana", {"/api/status": fx.KIBANA_STATUS}, "/api/status", "version: 7.10.2"),
    ("exposure.kibana", {"/app/kibana": fx.KIBANA_APP}, "/app/kibana", "kbn-injected-metadata"),
]

# rule id → routes that look close but prove nothing (everything else answers a plain 404)
MISSES = [
    ("exposure.git", {"/.git/HEAD": fx.html("<h1>403 Forbidden</h1>", 403), "/.git/config": fx.text("", 403)}),
    ("exposure.git", {"/.git/config": fx.html("<!doctype html><p>\n[core] settings explained</p>")}),
    ("exposure.svn", {"/.svn/entries": fx.html("<html><body>12\n</body></html>"), "/.svn/wc.db": fx.text("", 404)}),
    ("exposure.env", {"/.env": fx.html("<!DOCTYPE html><html>\nAPP_KEY=shown-in-docs\n</html>")}),
    ("exposure.env", {"/.env": fx.text("# all settings come from the vault\n")}),
    ("exposure.directory-listing", {"/uploads/": fx.html("<html><title>Загрузки</title><p>Документы</p></html>")}),
    ("exposure.directory-listing", {"/backup/": fx.html("<html><title>Index of /backup/</title></html>", 403)}),
    ("exposure.backup", {"/dump.sql": fx.text("nothing to see")}),
    ("exposure.backup", {"/backup.zip": fx.html("<html><body>PK\x03\x04 is the zip magic</body></html>")}),
    ("exposure.backup", {"/db.sql": fx.html("<!DOCTYPE html><pre>CREATE TABLE tutorial</pre>")}),
    ("exposure.phpinfo", {"/phpinfo.php": fx.html("<p>An article about the phpinfo() function</p>")}),
    ("exposure.phpinfo", {"/info.php": fx.html("phpinfo() PHP Version 8.1", 403)}),
    ("exposure.server-status", {"/server-status": fx.html("<h1>Forbidden</h1>", 403)}),
    ("exposure.server-status", {"/nginx_status": fx.html("<p>Active connections: are shown on our dashboard</p>")}),
    ("exposure.openapi", {"/swagger.json": fx.as_json({"status": "ok"})}),
    ("exposure.openapi", {"/swagger-ui.html": fx.html("<html><title>Вход</title></html>", 401)}),
    ("exposure.debug-page", {"/actuator": fx.as_json({"error": "Unauthorized"}, 401)}),
    ("exposure.debug-page", {"/actuator/env": fx.as_json({"timestamp": 1}, 404), "/_profiler": fx.html("", 404)}),
    ("exposure.elasticsearch", {"/": fx.as_json({"cluster_name": "x", "status": "ok"})}),
    ("exposure.elasticsearch", {"/_cluster/health": fx.as_json({"error": "security_exception"}, 401)}),
    ("exposure.kibana", {"/api/status": fx.as_json({"status": "ok"})}),
    ("exposure.kibana", {"/api/status": fx.as_json({"statusCode": 401}, 401, **{"kbn-name": "kibana"})}),
]


def test_the_bundled_exposure_rules_are_exactly_the_documented_set() -> None:
    rules = load_rules(plugins=False).of_kind("exposure")
    assert {r.id: r.severity for r in rules}.keys() == RULE_IDS.keys()
    for rule in rules:
        assert rule.severity in RULE_IDS[rule.id], rule.id
        assert rule.description and rule.risk and rule.remediation and rule.references, rule.id
        assert "kz-pdl:art-22" in rule.compliance and "cyber-shield:CS1-state-resources" in rule.compliance, rule.id
        assert "exposure" in rule.tags, rule.id
        assert "nginx" in rule.remediation and "Apache" in rule.remediation, rule.id


def test_only_dump_rules_hand_their_bodies_to_the_dataset_scan() -> None:
    flagged = {r.id for r in load_rules(plugins=False).of_kind("exposure") if r.exposure and r.exposure.scan_as_dataset}
    assert flagged == {"exposure.backup"}


def test_the_elasticsearch_rule_recalls_the_2019_leak() -> None:
    assert "2019" in load_rules(plugins=False)["exposure.elasticsearch"].risk


def test_every_rule_has_a_hit_and_a_miss_case() -> None:
    assert {rule_id for rule_id, *_ in HITS} == RULE_IDS.keys()
    assert {rule_id for rule_id, _ in MISSES} == RULE_IDS.keys()


@pytest.mark.parametrize(("rule_id", "routes", "path", "evidence"), HITS, ids=[f"{h[0]}:{h[2]}" for h in HITS])
def test_hit(rule_id: str, routes: dict[str, object], path: str, evidence: str) -> None:
    with fx.serve(routes) as site:
        result = run_probes(site.url, fx.exposure_rules(rule_id), KEY, fx.fetch)
    (finding,) = result.findings
    assert finding.rule_id == rule_id and finding.count == 1
    assert finding.location.uri == site.url + path
    assert evidence in finding.evidence and finding.evidence.startswith(f"{path} answered ")
    assert len(finding.evidence) < 300


@pytest.mark.parametrize(("rule_id", "routes"), MISSES, ids=[f"{m[0]}:{'+'.join(m[1])}" for m in MISSES])
def test_miss(rule_id: str, routes: dict[str, object]) -> None:
    with fx.serve(routes) as site:
        result = run_probes(site.url, fx.exposure_rules(rule_id), KEY, fx.fetch)
    assert result.findings == []


def test_django_debug_404_is_proven_on_a_random_path() -> None:
    with fx.serve({}, lambda path: fx.DJANGO_404) as site:
        result = run_probes(site.url, fx.exposure_rules("exposure.debug-page"), KEY, fx.fetch)
    (finding,) = result.findings
    assert "/govscan-" in finding.location.uri and "DEBUG = True" in finding.evidence
    assert finding.severity.label == "medium"


def test_a_django_site_without_debug_is_no_finding() -> None:
    with fx.serve(
        {}, lambda path: fx.html("<h1>Not Found</h1><p>The requested resource was not found.</p>", 404)
    ) as site:
        result = run_probes(site.url, fx.exposure_rules("exposure.debug-page"), KEY, fx.fetch)
    assert result.findings == []


def test_several_dumps_are_one_finding_and_every_body_is_returned() -> None:
    routes = {"/dump.sql": fx.DUMP_SQL, "/db.sql": fx.DUMP_SQL, "/www.zip": fx.ZIP_ARCHIVE}
    with fx.serve(routes) as site:
        result = run_probes(site.url, fx.exposure_rules("exposure.backup"), KEY, fx.fetch)
    (finding,) = result.findings
    assert finding.count == 3 and finding.location.uri == site.url + "/dump.sql"
    assert "also /db.sql, /www.zip" in finding.evidence
    assert sorted(r.url.rsplit("/", 1)[1] for r in result.datasets) == ["db.sql", "dump.sql", "www.zip"]
    assert fx.SYNTHETIC_IIN not in finding.evidence


def test_a_git_exposure_behind_a_path_echoing_catch_all_is_found_and_the_echo_is_not() -> None:
    with fx.serve({"/.git/config": fx.GIT_CONFIG}, fx.catch_all_echo) as site:
        result = run_probes(site.url, fx.exposure_rules(), KEY, fx.fetch)
    assert [(f.rule_id, f.location.uri) for f in result.findings] == [("exposure.git", site.url + "/.git/config")]
    assert "glpat" not in result.findings[0].evidence
