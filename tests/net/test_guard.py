"""The SSRF guard: which addresses the scanner refuses, judged after DNS resolution."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import requests

from govscan.net.guard import Guard, GuardedAdapter, address_problem


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("127.0.0.1", "loopback"),
        ("127.8.9.10", "loopback"),
        ("::1", "loopback"),
        ("10.0.0.5", "private"),
        ("172.16.3.4", "private"),
        ("192.168.1.1", "private"),
        ("fc00::1", "private"),
        ("169.254.1.1", "link-local"),
        ("fe80::1", "link-local"),
        ("169.254.169.254", "cloud metadata"),
        ("fd00:ec2::254", "cloud metadata"),
        ("100.100.100.200", "cloud metadata"),
        ("100.64.0.1", "carrier-grade NAT"),
        ("0.0.0.0", "unspecified"),  # noqa: S104 - an address under test, nothing binds it
        ("::", "unspecified"),
        ("224.0.0.1", "multicast"),
        ("ff02::1", "multicast"),
        ("240.0.0.1", "reserved"),
    ],
)
def test_non_public_addresses_are_refused_with_their_kind(address: str, kind: str) -> None:
    problem = address_problem(address)
    assert problem is not None and problem.startswith(kind)


@pytest.mark.parametrize(
    ("address", "inner"),
    [
        ("::ffff:127.0.0.1", "loopback"),
        ("::ffff:10.0.0.1", "private"),
        ("::ffff:169.254.169.254", "cloud metadata"),
        ("2002:7f00:1::", "loopback"),  # 6to4 wrapping 127.0.0.1
        ("64:ff9b::a00:1", "private"),  # NAT64 wrapping 10.0.0.1
    ],
)
def test_ipv4_hidden_inside_ipv6_is_judged_by_the_ipv4_address(address: str, inner: str) -> None:
    problem = address_problem(address)
    assert problem is not None and problem.startswith(inner) and "embedded" in problem


@pytest.mark.parametrize("address", ["8.8.8.8", "195.210.46.10", "2001:4860:4860::8888", "::ffff:8.8.8.8"])
def test_public_addresses_pass(address: str) -> None:
    assert address_problem(address) is None


def test_metadata_host_names_are_refused_without_resolving() -> None:
    def resolver(host: str, port: int) -> list[str]:
        raise AssertionError("metadata names must not even be resolved")

    guard = Guard(resolver=resolver)
    assert "metadata" in (guard.check_url("http://metadata.google.internal/computeMetadata/v1/") or "")
    assert "metadata" in (guard.check_url("http://METADATA.google.internal./") or "")


def test_a_public_name_resolving_to_a_private_address_is_refused() -> None:
    guard = Guard(resolver=lambda host, port: ["10.1.2.3"])
    assert guard.check_url("https://innocent.example/") == "innocent.example resolves to private address 10.1.2.3"


def test_one_private_address_among_public_ones_refuses_the_host() -> None:
    guard = Guard(resolver=lambda host, port: ["195.210.46.10", "127.0.0.1"])
    assert "loopback" in (guard.check_url("https://mixed.example/") or "")


def test_a_public_target_passes() -> None:
    guard = Guard(resolver=lambda host, port: ["195.210.46.10"])
    assert guard.check_url("https://portal.example/page") is None


def test_a_local_target_allows_its_own_address_and_nothing_else() -> None:
    guard = Guard.for_target("http://127.0.0.1:8080/")
    assert guard.check_url("http://127.0.0.1:8080/admin") is None
    assert guard.check_url("http://127.0.0.2/") is not None
    assert guard.check_url("http://10.0.0.5/") is not None
    assert guard.check_url("http://169.254.169.254/latest/meta-data/") is not None


def test_a_local_target_is_allowed_on_its_own_port_only() -> None:
    guard = Guard.for_target("http://127.0.0.1:8080/")
    assert guard.check_url("http://127.0.0.1:6379/") == "loopback address 127.0.0.1 on port 6379, not the target's"
    intranet = Guard.for_target("http://10.1.2.3/", resolver=lambda host, port: ["10.1.2.3"])
    assert intranet.check_url("https://10.1.2.3/") is None  # http → https of the same portal
    assert intranet.check_url("http://10.1.2.3:8080/") is not None


def test_a_public_target_adds_nothing_to_the_allow_list(resolver: Callable[[str, int], list[str]]) -> None:
    guard = Guard.for_target("https://portal.example/", resolver=resolver)
    assert guard.allow == frozenset()
    assert guard.check_url("http://127.0.0.1/") is not None


def test_a_metadata_target_is_allowed_only_because_it_is_the_target() -> None:
    guard = Guard.for_target("http://169.254.169.254/")
    assert guard.check_url("http://169.254.169.254/latest/") is None
    assert Guard().check_url("http://169.254.169.254/latest/") is not None


def test_the_explicit_flag_allows_private_addresses() -> None:
    guard = Guard(allow_private=True, resolver=lambda host, port: ["10.0.0.1"])
    assert guard.check_url("http://intranet.example/") is None


def test_an_unresolvable_host_is_a_problem_not_an_exception() -> None:
    def resolver(host: str, port: int) -> list[str]:
        raise OSError("Name or service not known")

    assert "cannot resolve" in (Guard(resolver=resolver).check_url("http://nowhere.example/") or "")


def test_ipv6_literal_urls_are_judged() -> None:
    assert "loopback" in (Guard().check_url("http://[::1]:8080/") or "")


def test_the_connect_time_check_refuses_a_dns_answer_that_changed_after_the_first_check() -> None:
    """DNS rebinding: the name looked public when checked, then resolves to 127.0.0.1 at connect time."""
    answers = iter([["195.210.46.10"], ["127.0.0.1"]])
    guard = Guard(resolver=lambda host, port: next(answers))
    assert guard.check_url("http://rebind.example/") is None
    session = requests.Session()
    session.trust_env = False
    session.mount("http://", GuardedAdapter(guard, max_retries=0))
    with pytest.raises(
        requests.exceptions.ConnectionError, match="blocked by SSRF guard: rebind.example resolves to loopback"
    ):
        session.get("http://rebind.example/", timeout=2)
