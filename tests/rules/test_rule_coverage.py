"""Every shipped rule, of every kind, has a case that fires it and a case that must not.

Each kind keeps its cases next to the code that judges it (a hit and a miss per rule id); this
guard reads those tables, so a new rule — or a new kind of rule — without both cases fails here.
"""

from __future__ import annotations

from govscan.rules import load_rules

from ..pii.test_pii_rules import CASES as PII_CASES
from ..tls.test_tls_rules import CASES as TLS_CASES
from ..web.test_exposure_rules import HITS as EXPOSURE_HITS
from ..web.test_exposure_rules import MISSES as EXPOSURE_MISSES
from ..web.test_http_rules import CASES as HTTP_CASES

# kind → (rule ids with a hit case, rule ids with a miss case)
COVERED: dict[str, tuple[set[str], set[str]]] = {
    "pii": ({*PII_CASES, "pii.failed-redaction"}, {*PII_CASES, "pii.failed-redaction"}),
    "tls": (set(TLS_CASES), set(TLS_CASES)),
    "http": (set(HTTP_CASES), set(HTTP_CASES)),
    "exposure": ({rule_id for rule_id, *_ in EXPOSURE_HITS}, {rule_id for rule_id, _ in EXPOSURE_MISSES}),
}


def test_every_kind_of_rule_has_a_case_table() -> None:
    kinds = {rule.kind for rule in load_rules(plugins=False)}
    assert kinds == COVERED.keys()


def test_every_rule_has_a_hit_and_a_miss_case() -> None:
    for kind, (hits, misses) in COVERED.items():
        shipped = {rule.id for rule in load_rules(plugins=False).of_kind(kind)}
        assert shipped - hits == set(), f"{kind} rules without a hit case"
        assert shipped - misses == set(), f"{kind} rules without a miss case"
        assert hits <= shipped and misses <= shipped, f"{kind} cases for rules that do not exist"
