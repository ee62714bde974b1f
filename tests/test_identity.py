"""Fingerprints are keyed, stable, and leave line numbers and values out of column findings."""

from __future__ import annotations

import os
import stat

import pytest

from govscan.identity import fingerprint, key_id, load_secret, normal_uri, secret_path
from govscan.model import Field


def test_the_secret_comes_from_the_environment_first(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOVSCAN_SECRET", "from-env-5f0c2a9e7b3d41c8a6e2f9b07d")
    assert load_secret() == b"from-env-5f0c2a9e7b3d41c8a6e2f9b07d"


def test_without_environment_a_secret_file_is_created_once_with_mode_0600(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GOVSCAN_SECRET")
    first = load_secret()
    path = secret_path()
    assert path.exists()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert load_secret() == first
    assert len(first) == 64


def test_fingerprint_depends_on_key_rule_asset_and_place_but_not_on_spelling_of_the_uri() -> None:
    column = Field(column="ИИН", column_index=3)
    base = fingerprint(b"k", "pii.kz-iin", "./data/list.csv", column)
    assert base == fingerprint(b"k", "pii.kz-iin", "data/list.csv", column)
    assert base == fingerprint(b"k", "pii.kz-iin", "data/list.csv", Field(column="иин", column_index=7))
    assert base != fingerprint(b"other", "pii.kz-iin", "data/list.csv", column)
    assert base != fingerprint(b"k", "pii.phone", "data/list.csv", column)
    assert base != fingerprint(b"k", "pii.kz-iin", "data/other.csv", column)
    assert base != fingerprint(b"k", "pii.kz-iin", "data/list.csv", Field(column="ЖСН", column_index=3))


def test_headerless_columns_are_identified_by_index() -> None:
    a = fingerprint(b"k", "pii.kz-iin", "x.csv", Field(column_index=2))
    assert a != fingerprint(b"k", "pii.kz-iin", "x.csv", Field(column_index=3))


def test_url_normal_form() -> None:
    assert normal_uri("HTTPS://Data.Egov.KZ:443/api/x#frag") == "https://data.egov.kz/api/x"
    assert normal_uri("http://example.kz:8080") == "http://example.kz:8080/"


def test_key_id_is_short_and_does_not_reveal_the_key() -> None:
    assert len(key_id(b"secret")) == 12
    assert "secret" not in key_id(b"secret")


def test_public_uris_carry_no_credentials_tokens_or_identifiers() -> None:
    from govscan.identity import mask_uri, public_uri

    shown = public_uri("https://user:pa55@data.egov.kz/api/v4/gbd_ul/v1?apiKey=SECRET&source=x")
    assert shown == "https://data.egov.kz/api/v4/gbd_ul/v1?apiKey=***&source=x"  # other parameters name the dataset
    assert public_uri("exports/spravka_900101300017.csv") == "exports/spravka_9001******17.csv"
    assert mask_uri("report-2019-03-12.csv") == "report-2019-03-12.csv"  # dates and short numbers stay
