"""What crosses the broker: units and results as versioned, sealed JSON — never pickle.

Anyone who can write to a broker must not get code execution on the workers, so nothing here
unpickles: a message names a task from an allow-list (``TASKS``) and carries its unit as JSON
validated by the unit's own typed model (pydantic over the dataclasses). Results come back the
same way, validated against the result type of that task.

The payloads are sealed (Fernet: AES + HMAC) with a key derived from the fingerprint key, which
every worker loads itself and which never travels. So a broker or a result backend holds no
readable file name or URL (they may carry identifiers), a forged or altered message is refused,
and a worker whose key differs cannot even read a unit: the envelope names both key ids, the
format version and both rule-set digests, so the refusal says which of them differs.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from pydantic import TypeAdapter

from govscan.engine.portal import PortalResult
from govscan.engine.steps import audit_site, audit_tls, crashed, read_dataset
from govscan.engine.units import DatasetUnit, PortalUnit, TlsUnit
from govscan.errors import InputError
from govscan.identity import key_id
from govscan.model import AssetOutcome, WorkResult
from govscan.readers.limits import Limits
from govscan.redact import public_text

FORMAT_VERSION = 1
_SEAL_LABEL = b"govscan-broker-seal-v1"


@dataclass(frozen=True)
class Task:
    """One allowed task: its Celery name, the work function, and the typed unit and result."""

    name: str
    fn: Callable[[Any], Any]
    unit: TypeAdapter[Any]
    result: TypeAdapter[Any]
    failed: Callable[[Any, str], Any]  # the result of a unit that could not be done: unreadable, with why


def _tls_failed(unit: TlsUnit, problem: str) -> list[WorkResult]:
    from govscan.tls.targets import parse_target

    uris = [parse_target(endpoint).uri for endpoint in unit.endpoints]
    return [WorkResult(unit.target, [AssetOutcome(uri, False, problem)], [], [f"{uri}: {problem}"]) for uri in uris]


def _portal_failed(unit: PortalUnit, problem: str) -> PortalResult:
    return PortalResult(unit.target, [AssetOutcome(unit.url, False, problem)], [], [f"{unit.url}: {problem}"])


TASKS: dict[str, Task] = {
    task.name: task
    for task in (
        Task("govscan.read_dataset", read_dataset, TypeAdapter(DatasetUnit), TypeAdapter(WorkResult), crashed),
        Task("govscan.audit_tls", audit_tls, TypeAdapter(TlsUnit), TypeAdapter(list[WorkResult]), _tls_failed),
        Task("govscan.audit_site", audit_site, TypeAdapter(PortalUnit), TypeAdapter(PortalResult), _portal_failed),
    )
}
_LIMITS = TypeAdapter(Limits)


class Refused(InputError):
    """A worker will not take a unit: another format version, rule set or key. ``str()`` is the line."""


def task_for(fn: Callable[[Any], Any]) -> Task:
    """The allowed task that runs ``fn``; any other function cannot be sent."""
    for task in TASKS.values():
        if task.fn is fn:
            return task
    raise ValueError(f"{getattr(fn, '__name__', fn)!r} is not a task govscan workers run")


@dataclass(frozen=True)
class Identity:
    """What both ends must share to understand each other: format, rule set, key (its id only travels)."""

    key: bytes
    rules_digest: str

    @property
    def key_id(self) -> str:
        return key_id(self.key)

    def _fernet(self) -> Fernet:
        derived = hmac.new(self.key, _SEAL_LABEL, hashlib.sha256).digest()
        return Fernet(base64.urlsafe_b64encode(derived))

    def seal(self, payload: bytes) -> str:
        return self._fernet().encrypt(payload).decode("ascii")

    def open(self, token: str) -> bytes:
        return self._fernet().decrypt(token.encode("ascii"))

    def header(self) -> dict[str, Any]:
        return {"v": FORMAT_VERSION, "key_id": self.key_id, "rules": self.rules_digest}

    def refusal(self, message: dict[str, Any], where: str) -> str | None:
        """Why this end cannot take ``message`` (a line naming both sides), or None when it can."""
        theirs = {k: message.get(k) for k in ("v", "key_id", "rules")}
        if theirs["v"] != FORMAT_VERSION:
            return (
                f"{where}: message format version {theirs['v']} but this govscan speaks {FORMAT_VERSION}; "
                "run the same govscan version on the coordinator and every worker"
            )
        if theirs["key_id"] != self.key_id:
            return (
                f"{where}: fingerprint key id {theirs['key_id']} on the sender but {self.key_id} here; "
                "give every worker the coordinator's GOVSCAN_SECRET (or key file)"
            )
        if theirs["rules"] != self.rules_digest:
            return (
                f"{where}: rule-set digest {theirs['rules']} on the sender but {self.rules_digest} here; "
                "install the same rules and plugins on the coordinator and every worker"
            )
        return None


def encode_unit(identity: Identity, task: Task, unit: Any, unit_id: str, scan: str, limits: Limits | None) -> dict:
    """The message body of one unit: a readable header and the sealed unit (no path or URL in clear)."""
    payload = b'{"unit":%s,"limits":%s}' % (
        task.unit.dump_json(unit),
        _LIMITS.dump_json(limits) if limits is not None else b"null",
    )
    return {**identity.header(), "task": task.name, "unit_id": unit_id, "scan": scan, "body": identity.seal(payload)}


def decode_unit(identity: Identity, message: dict[str, Any], where: str) -> tuple[Task, Any, Limits | None]:
    """The task, unit and readers' limits of a message; ``Refused`` when it is not for this worker."""
    problem = identity.refusal(message, where)
    if problem:
        raise Refused(problem)
    task = TASKS.get(str(message.get("task")))
    if task is None:
        raise Refused(f"{where}: unknown task {str(message.get('task'))[:60]!r}")
    try:
        body = TypeAdapter(dict[str, Any]).validate_json(identity.open(str(message["body"])))
    except (InvalidToken, KeyError, ValueError):
        raise Refused(f"{where}: a unit that was not sealed with this key (altered or forged); refused") from None
    limits = _LIMITS.validate_python(body["limits"]) if body.get("limits") is not None else None
    return task, task.unit.validate_python(body["unit"]), limits


def encode_result(identity: Identity, task: Task, result: Any) -> dict[str, Any]:
    """A result to send back; its error lines are masked like everything else in it (``public_text``)."""
    for part in result if isinstance(result, list) else [result]:
        part.errors = [public_text(line) for line in part.errors]
    return {**identity.header(), "ok": identity.seal(task.result.dump_json(result))}


def decode_result(identity: Identity, task: Task, message: dict[str, Any], where: str) -> Any:
    """A worker's result, validated against the task's result type (masking runs again on the way in)."""
    problem = identity.refusal(message, where)
    if problem:
        raise Refused(problem)
    try:
        return task.result.validate_json(identity.open(str(message["ok"])))
    except (InvalidToken, KeyError):
        raise Refused(f"{where}: a result that was not sealed with this key (altered or forged); refused") from None
