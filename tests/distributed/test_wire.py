"""What crosses the broker: JSON only, sealed, versioned, from an allow-list of tasks.

Specification: a unit and its result survive the trip unchanged (fingerprints included, evidence
still masked); a message of another format version, rule set or key is refused with a line naming
both sides; a forged or altered message is refused; only the three work functions can be sent;
the Celery app accepts JSON and nothing else for tasks and results.
"""

from __future__ import annotations

import json

import pytest

pytest.importorskip("celery", reason="celery is not installed (pip install 'govscan[distributed]')")

from govscan.distributed.wire import (  # noqa: E402
    FORMAT_VERSION,
    TASKS,
    Identity,
    Refused,
    decode_result,
    decode_unit,
    encode_result,
    encode_unit,
    task_for,
)
from govscan.engine.steps import audit_site, read_dataset  # noqa: E402
from govscan.engine.units import DatasetUnit, PortalSettings, PortalUnit  # noqa: E402
from govscan.model import AssetOutcome, Finding, Location, Severity, WorkResult  # noqa: E402
from govscan.readers.limits import Limits  # noqa: E402

KEY = b"0f3a9c2e7b5d4816aa11bb22cc33dd44ee55"
US = Identity(KEY, "digest-of-rules")
IIN = "870412300738"


def test_a_unit_travels_sealed_and_comes_back_the_same() -> None:
    unit = DatasetUnit("exports", f"/srv/data/{IIN}.csv")
    message = encode_unit(US, task_for(read_dataset), unit, "u1", "scan1", Limits(ocr="off"))
    assert json.loads(json.dumps(message)) == message  # plain JSON
    assert IIN not in json.dumps(message)  # the file name is sealed, not readable on the broker
    task, back, limits = decode_unit(US, message, "worker w1")
    assert (task.name, back, limits) == ("govscan.read_dataset", unit, Limits(ocr="off"))


def test_a_portal_unit_keeps_its_settings() -> None:
    unit = PortalUnit("portal", "https://akimat.example.kz/", PortalSettings(max_dataset_bytes=1234, robots="audit"))
    _, back, _ = decode_unit(US, encode_unit(US, task_for(audit_site), unit, "u", "s", None), "w")
    assert back == unit


def test_a_result_keeps_fingerprints_and_stays_masked() -> None:
    finding = Finding("pii.kz-iin", "KZ_IIN", Severity.CRITICAL, "ИИН", Location(f"/srv/{IIN}.csv", column="ИИН"),
                      2, f"ИИН {IIN}", 0.99, fingerprint="ab" * 32)  # fmt: skip
    result = WorkResult("exports", [AssetOutcome(f"/srv/{IIN}.csv", True)], [finding], [f"/srv/{IIN}.csv!/a.csv: bad"])
    task = task_for(read_dataset)
    message = encode_result(US, task, result)
    assert IIN not in json.dumps(message) and IIN[:4] not in json.dumps(message)
    back = decode_result(US, task, message, "broker")
    assert back == result
    assert back.findings[0].fingerprint == "ab" * 32 and IIN not in back.findings[0].evidence
    assert back.findings[0].location.uri == "/srv/8704******38.csv"
    assert back.errors == ["/srv/8704******38.csv!/a.csv: bad"]  # error lines too


@pytest.mark.parametrize(
    ("theirs", "named"),
    [
        (Identity(b"another-key-5e6f7a8b9c0d1e2f3a4b5c6d", "digest-of-rules"), "fingerprint key id"),
        (Identity(KEY, "other-rules"), "rule-set digest other-rules on the sender but digest-of-rules here"),
    ],
)
def test_a_unit_of_another_key_or_rule_set_is_refused_naming_both(theirs: Identity, named: str) -> None:
    message = encode_unit(theirs, task_for(read_dataset), DatasetUnit("t", "/a.csv"), "u", "s", None)
    with pytest.raises(Refused, match="^worker w1: ") as refused:
        decode_unit(US, message, "worker w1")
    assert named in str(refused.value)
    if named.startswith("fingerprint"):
        assert f"{theirs.key_id} on the sender but {US.key_id} here" in str(refused.value)


def test_a_unit_of_another_format_version_is_refused() -> None:
    message = encode_unit(US, task_for(read_dataset), DatasetUnit("t", "/a.csv"), "u", "s", None)
    message["v"] = FORMAT_VERSION + 1
    with pytest.raises(Refused, match=f"format version {FORMAT_VERSION + 1} but this govscan speaks {FORMAT_VERSION}"):
        decode_unit(US, message, "w")


def test_a_forged_or_altered_unit_is_refused() -> None:
    message = encode_unit(US, task_for(read_dataset), DatasetUnit("t", "/a.csv"), "u", "s", None)
    altered = {**message, "body": message["body"][:-8] + "AAAAAAA="}
    forged = {**message, "body": json.dumps({"unit": {"target": "t", "uri": "/etc/shadow"}, "limits": None})}
    for bad in (altered, forged):
        with pytest.raises(Refused, match="not sealed with this key"):
            decode_unit(US, bad, "w")


def test_only_the_work_functions_can_be_sent() -> None:
    assert set(TASKS) == {"govscan.read_dataset", "govscan.audit_tls", "govscan.audit_site"}
    with pytest.raises(ValueError, match="not a task"):
        task_for(print)
    message = encode_unit(US, task_for(read_dataset), DatasetUnit("t", "/a.csv"), "u", "s", None)
    with pytest.raises(Refused, match="unknown task 'os.system'"):
        decode_unit(US, {**message, "task": "os.system"}, "w")


def test_the_celery_app_accepts_json_only() -> None:
    from govscan.distributed.app import make_app

    conf = make_app("redis://127.0.0.1:1/0").conf
    assert conf.accept_content == ["json"] and conf.result_accept_content == ["json"]
    assert conf.task_serializer == conf.result_serializer == "json"
    assert conf.task_acks_late and conf.task_reject_on_worker_lost and conf.worker_prefetch_multiplier == 1
    assert conf.broker_transport_options["visibility_timeout"] > 4500  # above the longest unit's hard limit
