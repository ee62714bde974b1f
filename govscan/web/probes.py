"""Run the ``exposure`` rules against one site: ask for each probe path, judge, guard against soft 404s.

Many portals answer every path with ``200`` and the same page (an SPA's ``index.html``, a CMS's
"not found" page with the wrong status). Without a guard every probe would "hit" on them, so a
probe hit counts only when the site does not answer a random, certainly absent path the same
way: before probing, two random paths are fetched as a baseline, and for each candidate hit a
sibling random path of the same shape (same folder, same extension) is fetched too. A hit that
looks like one of them — same status and the same body once the asked-for path is cut out, or a
near-identical one — or whose random sibling the rule's matchers accept as well, proves nothing.

The fetch function is injected (the real client, with its SSRF guard and rate limit, lives in
``net/client.py``); this module only decides what to ask and what the answers prove.
"""

from __future__ import annotations

import difflib
import hashlib
import html
import posixpath
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import quote, urlsplit

from govscan.model import Finding, Message, MessageParam
from govscan.net.model import FetchError, Response
from govscan.net.robots import fetch_once
from govscan.rules import RuleSet, RuleSpec
from govscan.rules.judge import Hit, finding
from govscan.rules.probe import ProbeGroup
from govscan.web.matchers import body_text, evidence_captures, group_matches

Fetch = Callable[[str], Response | FetchError]

SIMILARITY = 0.90  # SequenceMatcher ratio above which two normalised bodies are "the same page"
SIGNATURE_BYTES = 64 * 1024
RATIO_CHARS = 4000
MAX_CONSECUTIVE_ERRORS = 5
_VOLATILE = re.compile(r"[0-9a-fA-F]{8,}|\d{4,}")  # nonces, CSRF tokens, timestamps, request ids
_SPACE = re.compile(r"\s+")
_SUFFIX = re.compile(r"\.[A-Za-z0-9]{1,10}$")


@dataclass
class ProbeResult:
    """What probing one site left: findings, bodies to read as datasets, and what could not be fetched."""

    findings: list[Finding] = field(default_factory=list)
    datasets: list[Response] = field(default_factory=list)  # hits of ``scan_as_dataset`` rules
    errors: list[FetchError] = field(default_factory=list)
    requests: int = 0
    answered: list[str] = field(default_factory=list)  # URLs the site answered (any status): really looked at
    cut: bool = False  # probing stopped early (the audit's deadline): the rules not reached were not judged


@dataclass(frozen=True)
class Baseline:
    """How the site answered one random, certainly absent path."""

    path: str
    response: Response
    signature: str
    normal: str

    @property
    def status(self) -> int:
        return self.response.status

    @property
    def length(self) -> int:
        return len(self.response.body)


def site_root(base_url: str) -> str:
    """``scheme://host[:port]`` of a URL: probe paths are under the site's root, not a sub-page."""
    parts = urlsplit(base_url)
    if not parts.scheme or not parts.netloc:
        raise ValueError(f"not an absolute URL: {base_url!r}")
    return f"{parts.scheme}://{parts.netloc}"


def _token() -> str:
    return secrets.token_hex(8)


def normalise(response: Response, path: str, root: str = "") -> str:
    """The body as a comparable page: the asked-for path, volatile tokens and layout cut out.

    A catch-all page that echoes the path ("/.git/HEAD was not found") must compare equal to the
    one for a random path, so the path is removed in the forms pages print it (raw, URL-quoted,
    HTML-escaped, without the leading slash, as a full URL, its last segment).
    """
    text = body_text(response, SIGNATURE_BYTES)
    base = posixpath.basename(path.rstrip("/"))
    variants = {path, path.lstrip("/"), quote(path), html.escape(path), root + path}
    if len(base) >= 4:
        variants.add(base)
    for variant in sorted((v for v in variants if v), key=len, reverse=True):
        text = text.replace(variant, " ")
    text = _VOLATILE.sub("#", text)
    return _SPACE.sub(" ", text).strip()


def make_baseline(path: str, response: Response, root: str = "") -> Baseline:
    normal = normalise(response, path, root)
    return Baseline(path, response, hashlib.sha256(normal.encode("utf-8", "replace")).hexdigest(), normal)


def _similar(a: str, b: str) -> bool:
    a, b = a[:RATIO_CHARS], b[:RATIO_CHARS]
    if not a and not b:
        return True
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return (
        matcher.real_quick_ratio() >= SIMILARITY
        and matcher.quick_ratio() >= SIMILARITY
        and (matcher.ratio() >= SIMILARITY)
    )


def _redirected_to(response: Response) -> str:
    """Where a followed redirect ended, or '' when the answer came from the URL asked for."""
    if response.final_url and response.final_url != response.url:
        return response.final_url
    return ""


def looks_like(response: Response, path: str, baseline: Baseline, root: str = "") -> bool:
    """Whether a probe's answer is the site's answer to any absent path (a soft 404)."""
    landing = _redirected_to(response)
    if landing and landing == _redirected_to(baseline.response):
        return True  # both sent to the same place: the home page, a login form, a "not found" URL
    if response.status != baseline.status:
        return False
    candidate = make_baseline(path, response, root)
    return candidate.signature == baseline.signature or _similar(candidate.normal, baseline.normal)


def sibling_path(path: str, token: str) -> str:
    """A random path of the same shape as ``path``: same folder, same extension, same trailing slash.

    A dotfile's leading dot is not an extension (``/.env`` → ``/govscan-…``), a last one is
    (``/.env.production`` → ``/govscan-….production``, ``/db.tar.gz`` → ``/govscan-….gz``).
    """
    trailing = "/" if path.endswith("/") and path != "/" else ""
    folder, name = posixpath.split(path.rstrip("/") or "/")
    suffix = _SUFFIX.search(name.lstrip("."))
    extension = suffix.group(0) if suffix else ""
    return posixpath.join(folder or "/", f"govscan-{token}{extension}") + trailing


class _Prober:
    """One site's probing session: a response cache, the baselines, the error budget."""

    def __init__(
        self,
        root: str,
        fetch: Fetch,
        result: ProbeResult,
        permitted: Callable[[str], bool] = lambda url: True,
        should_stop: Callable[[], bool] = lambda: False,
    ) -> None:
        self.root = root
        self.fetch_fn = fetch
        self.result = result
        self.permitted = permitted
        self.should_stop = should_stop
        self.refused: set[str] = set()
        self.cache: dict[str, Response | FetchError] = {}
        self.baselines: list[Baseline] = []
        self.siblings: dict[str, Baseline | None] = {}
        self.consecutive_errors = 0
        self.stopped = False

    def fetch(self, path: str) -> Response | None:
        url = self.root + path
        if url not in self.cache:
            if self.stopped:
                return None
            if self.should_stop():
                self.stopped = self.result.cut = True
                return None
            if url in self.refused or not self.permitted(url):
                self.refused.add(url)  # robots.txt said no and the operator said obey: not asked, not an error
                return None
            self.result.requests += 1
            try:
                answer = self.fetch_fn(url)
            except Exception as exc:  # an injected client must not end the whole site's probing
                answer = FetchError(url, " ".join(f"{type(exc).__name__}: {exc}".split()))
            self.cache[url] = answer
            if isinstance(answer, FetchError):
                self.result.errors.append(answer)
                self.consecutive_errors += 1
                if self.consecutive_errors >= MAX_CONSECUTIVE_ERRORS:
                    self.stopped = True
                    self.result.errors.append(
                        FetchError(
                            self.root + "/", f"probing stopped after {MAX_CONSECUTIVE_ERRORS} failed fetches in a row"
                        )
                    )
            else:
                self.consecutive_errors = 0
                self.result.answered.append(url)
        answer = self.cache[url]
        return answer if isinstance(answer, Response) else None

    def baseline(self, path: str) -> Baseline | None:
        response = self.fetch(path)
        return None if response is None else make_baseline(path, response, self.root)

    def take_baselines(self) -> None:
        for suffix in ("", ".php"):
            # Asked once per site and scan: the workers of a distributed scan share the answer (and its path).
            answer = fetch_once(f"{self.root}/govscan-soft-404{suffix}", lambda s=suffix: self._absent(s))
            if isinstance(answer, Response) and answer.url.startswith(self.root):
                self.baselines.append(make_baseline(answer.url[len(self.root) :], answer, self.root))

    def _absent(self, suffix: str) -> Response | FetchError:
        path = f"/govscan-{_token()}{suffix}"
        return self.fetch(path) or FetchError(self.root + path, "no answer")

    def sibling(self, path: str) -> Baseline | None:
        probe = sibling_path(path, "{token}")
        if probe not in self.siblings:
            self.siblings[probe] = self.baseline(probe.replace("{token}", _token()))
        return self.siblings[probe]

    def soft_404(self, group: ProbeGroup, path: str, response: Response) -> bool:
        """Whether a candidate hit is only how the site answers paths that do not exist."""
        candidates = [*self.baselines]
        sibling = self.sibling(path)
        if sibling is not None:
            candidates.append(sibling)
        for base in candidates:
            if group_matches(group, base.response) or looks_like(response, path, base, self.root):
                return True
        return False


def _expand(path: str) -> str:
    return path.replace("{random}", _token()) if "{random}" in path else path


def _evidence(group: ProbeGroup, path: str, response: Response, more: list[str]) -> Hit:
    """What the probe saw, in English and as messages (``probe.answered…``) for reports in ru/kk."""
    size = f"{'≥' if response.truncated else ''}{len(response.body)}"
    media = response.media_type or "no Content-Type"
    params: dict[str, MessageParam] = {"path": path, "status": response.status, "media": media, "size": size}
    text = f"{path} answered {response.status} ({media}, {size} bytes)"
    every = group.evidence_label is not None
    quoted = evidence_captures(group.evidence_regex, response, every=every)
    said = "probe.answered"
    if quoted and every:
        text += f" with {group.evidence_label}: {', '.join(quoted)}"
        said, params = "probe.answered.labelled", {**params, "label": str(group.evidence_label), "values": quoted}
    elif quoted:
        mark = "'" if '"' in quoted[0] else '"'
        text += f" with {mark}{quoted[0]}{mark}"
        said, params = "probe.answered.quote", {**params, "quote": quoted[0]}
    messages = [Message(said, params)]
    if more:
        text += f"; also {', '.join(more[:5])}" + (f" and {len(more) - 5} more" if len(more) > 5 else "")
        also = {"paths": more[:5], "extra": len(more) - 5}
        messages.append(Message("probe.also.more" if len(more) > 5 else "probe.also", also))
    return Hit(text, 1 + len(more), messages=tuple(messages))


def _probe_rule(prober: _Prober, rule: RuleSpec, key: bytes, result: ProbeResult) -> None:
    assert rule.exposure is not None
    spec = rule.exposure
    hits: list[tuple[ProbeGroup, str, Response]] = []
    for group in spec.groups():
        for template in group.paths:
            path = _expand(template)
            response = prober.fetch(path)
            if response is None or not group_matches(group, response):
                continue
            guard = spec.soft_404_guard if group.soft_404_guard is None else group.soft_404_guard
            if guard and prober.soft_404(group, path, response):
                continue
            hits.append((group, path, response))
            if not spec.scan_as_dataset:
                break  # one proof is enough; dumps are all fetched so each can be read for personal data
        if hits and not spec.scan_as_dataset:
            break
    if not hits:
        return
    group, path, response = hits[0]
    url = prober.root + path
    hit = _evidence(group, path, response, [p for _, p, _ in hits[1:]])
    # Keyed on the site, not the path: the same exposure stays one finding when a later scan
    # proves it through another path (/.git/config instead of /.git/HEAD).
    result.findings.append(finding(rule, hit, url, key, at=prober.root + "/"))
    if spec.scan_as_dataset:
        result.datasets.extend(r for _, _, r in hits)


def run_probes(
    base_url: str,
    rules: RuleSet,
    key: bytes,
    fetch: Callable[[str], Response | FetchError],
    *,
    permitted: Callable[[str], bool] = lambda url: True,
    should_stop: Callable[[], bool] = lambda: False,
) -> ProbeResult:
    """Every ``exposure`` rule against the site of ``base_url``: at most one finding per rule.

    ``fetch`` takes an absolute URL and returns a ``Response`` or a ``FetchError`` (GET; a rule's
    ``method: HEAD`` is advisory until the client offers HEAD). Responses are cached, so rules
    sharing a path cost one request. A URL ``permitted`` refuses (robots.txt, when the operator
    obeys it) is never asked for; once ``should_stop`` says so no more requests are made.
    """
    result = ProbeResult()
    exposure_rules = rules.of_kind("exposure")
    if not exposure_rules:
        return result
    prober = _Prober(site_root(base_url), fetch, result, permitted, should_stop)
    if any(g.soft_404_guard is not False for r in exposure_rules for g in r.exposure.groups()):  # type: ignore[union-attr]
        prober.take_baselines()
    for rule in exposure_rules:
        _probe_rule(prober, rule, key, result)
    return result
