"""presidio runs with the network unplugged: no DNS lookup, no connection, no model download."""

from __future__ import annotations

import socket

import pytest

from govscan.engine.documents import CheckOptions, run_check
from govscan.identity import load_secret
from govscan.rules import load_rules


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every attempt to resolve or connect is recorded and refused."""
    attempts: list[str] = []

    def refuse(*args: object, **kwargs: object) -> None:
        attempts.append(repr(args[:2]))
        raise OSError("network disabled in this test")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    return attempts


def test_free_text_analysis_builds_presidio_and_opens_no_socket(no_network: list[str], tmp_path) -> None:
    page = tmp_path / "decision.html"
    page.write_text(
        "<html><body><p>Заявитель Иванов Сергей Петрович, ИИН 900101300017, "
        "тел. +7 701 123 45 67, e-mail ivanov@mail.kz</p></body></html>",
        encoding="utf-8",
    )
    result = run_check(CheckOptions([str(page)]), load_rules(plugins=False), load_secret())
    assert {f.entity for f in result.findings} == {"KZ_IIN", "PHONE_NUMBER", "EMAIL_ADDRESS", "PERSON"}
    assert no_network == []


def test_the_analyzer_is_never_built_bare(no_network: list[str]) -> None:
    from govscan.pii.detector import build_plans
    from govscan.pii.engine import build_analyzer

    analyzer = build_analyzer([p.recognizer for p in build_plans(load_rules(plugins=False))])
    names = {r.name for r in analyzer.registry.recognizers}
    assert names and all(n.startswith("govscan_") for n in names)  # curated: no US recognizers
    assert {"ru", "kk", "en"} <= set(analyzer.supported_languages)
    results = analyzer.analyze(text="ЖСН 900101300017", language="kk")
    assert [(r.entity_type, r.score >= 0.8) for r in results] == [("KZ_IIN", True)]
    assert no_network == []


def test_natasha_finds_names_the_rules_miss_and_respects_place_guards(no_network: list[str]) -> None:
    from govscan.pii.recognizers.person import PersonRecognizer
    from govscan.pii.recognizers.person_ner import NerPersonRecognizer

    text = "Заявитель Жанболат Жиентай обратился в акимат."
    assert [m.text for m in PersonRecognizer().find(text)] == []
    assert [m.text for m in NerPersonRecognizer().find(text)] == ["Жанболат Жиентай"]
    assert list(NerPersonRecognizer().find("Ремонт дороги по пр. Назарбаева Нурсултана завершён.")) == []
    assert no_network == []
