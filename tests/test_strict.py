"""govscan.strict: the one base for file-parsed models and the one wording of their errors."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from govscan.strict import StrictModel, dotted, first_error


class _Entry(StrictModel):
    name: str
    ports: list[int] = []


def test_an_unknown_key_is_an_error_not_a_silently_ignored_setting() -> None:
    with pytest.raises(ValidationError) as caught:
        _Entry.model_validate({"name": "portal", "prots": [443]})
    assert first_error(caught.value) == "prots: Extra inputs are not permitted"


def test_a_parsed_model_cannot_be_changed() -> None:
    entry = _Entry(name="portal")
    with pytest.raises(ValidationError):
        entry.name = "other"  # type: ignore[misc]


def test_the_first_error_names_its_dotted_path_or_the_top_level() -> None:
    with pytest.raises(ValidationError) as caught:
        _Entry.model_validate({"name": "portal", "ports": [443, "https"]})
    assert first_error(caught.value).startswith("ports.1: ")
    assert dotted(()) == "(top level)"


def test_a_caller_may_spell_the_path_its_own_way() -> None:
    with pytest.raises(ValidationError) as caught:
        _Entry.model_validate({})
    assert first_error(caught.value, lambda loc: "/".join(map(str, loc))) == "name: Field required"
