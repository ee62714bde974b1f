"""Per-requirement verdicts: failed, passed, not tested — the third state is what auditors need."""

from __future__ import annotations

from govscan.compliance import Framework, evaluate, summarize

TEXT = {"ru": "текст", "kk": "мәтін", "en": "text"}


def _framework() -> Framework:
    def req(suffix: str, rules: list[str]) -> dict:
        return {"id": f"acme:{suffix}", "title": TEXT, "summary": TEXT, "confirmed": True, "rules": rules}

    return Framework.model_validate(
        {
            "id": "acme",
            "title": TEXT,
            "document": "Order No. 1",
            "as_of": "2026-01-09",
            "requirements": [
                req("pd", ["pii.*"]),
                req("tls", ["tls.protocol.*", "tls.cert.expired"]),
                req("web", ["http.header.hsts-*"]),
                req("manual", []),
                req("bin", ["pii.kz-bin"]),
            ],
        }
    )


def test_statuses_for_failed_passed_and_not_tested() -> None:
    results = evaluate(
        [_framework()],
        rules_run={"pii.kz-iin", "pii.phone", "pii.kz-bin", "tls.protocol.tls10", "tls.cert.expired"},
        open_findings=[("pii.kz-iin", "critical"), ("pii.kz-iin", "critical"), ("pii.phone", "high")],
    )
    by_id = {r.requirement_id: r for r in results}

    pd = by_id["acme:pd"]
    assert pd.status == "failed"
    assert pd.counts == {"critical": 2, "high": 1} and pd.open_findings == 3
    assert pd.failing_rules == ("pii.kz-iin", "pii.phone")
    assert pd.tested_rules == ("pii.kz-bin", "pii.kz-iin", "pii.phone")

    tls = by_id["acme:tls"]
    assert tls.status == "passed" and tls.counts == {} and tls.failing_rules == ()
    assert tls.tested_rules == ("tls.cert.expired", "tls.protocol.tls10")

    assert by_id["acme:web"].status == "not_tested" and by_id["acme:web"].tested_rules == ()
    assert by_id["acme:manual"].status == "not_tested"
    assert [r.requirement_id for r in results] == ["acme:pd", "acme:tls", "acme:web", "acme:manual", "acme:bin"]


def test_an_info_finding_is_counted_but_does_not_fail_unless_asked() -> None:
    findings = [("pii.kz-bin", "info")]
    default = {r.requirement_id: r for r in evaluate([_framework()], {"pii.kz-bin"}, findings)}
    assert default["acme:bin"].status == "passed" and default["acme:bin"].counts == {"info": 1}
    strict = {r.requirement_id: r for r in evaluate([_framework()], {"pii.kz-bin"}, findings, min_severity="info")}
    assert strict["acme:bin"].status == "failed" and strict["acme:bin"].failing_rules == ("pii.kz-bin",)


def test_a_rule_with_a_finding_counts_as_run() -> None:
    by_id = {r.requirement_id: r for r in evaluate([_framework()], set(), [("http.header.hsts-missing", "medium")])}
    assert by_id["acme:web"].status == "failed"
    assert by_id["acme:web"].tested_rules == ("http.header.hsts-missing",)


def test_summary_counts_per_framework() -> None:
    results = evaluate([_framework()], {"tls.protocol.tls10", "pii.kz-iin"}, [("pii.kz-iin", "high")])
    (summary,) = summarize(results)
    assert (summary.framework_id, summary.failed, summary.passed, summary.not_tested) == ("acme", 1, 1, 3)
    assert summary.total == 5


def test_bundled_frameworks_evaluate_end_to_end() -> None:
    from govscan.compliance import load_frameworks

    results = evaluate(load_frameworks(plugins=False), {"pii.kz-iin"}, [("pii.kz-iin", "critical")])
    failed = {r.requirement_id for r in results if r.status == "failed"}
    assert {"kz-pdl:art-6", "kz-pdl:art-22", "cyber-shield:CS5-rights-privacy", "kz-koap:art-79"} <= failed
    assert all(r.status != "passed" for r in results)
