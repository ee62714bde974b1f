"""Scan configuration (YAML), validated; an error names the file, the line and the problem.

Target kinds: ``datasets`` (paths, globs, URLs read by the dataset gate) and ``tls``
(``HOST[:PORT]`` endpoints). A target may have several kinds; ``url:`` portal targets for the
crawler slot in as one more optional field.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator


class ConfigError(Exception):
    """One line: ``scan.yaml:7: targets.0.datasets: Input should be a valid list``."""


class TargetConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    datasets: list[str] = []
    exclude: list[str] = []
    tls: list[str] = []

    @model_validator(mode="after")
    def _has_something_to_scan(self) -> TargetConfig:
        if not (self.datasets or self.tls):
            raise ValueError("a target needs 'datasets:' or 'tls:'")
        return self

    @property
    def kind(self) -> str:
        return "+".join(k for k in ("datasets", "tls") if getattr(self, k))


class ScanConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    targets: list[TargetConfig] = Field(min_length=1)
    baseline: str | None = Field(None, description="baseline file: its findings are stored as suppressed")

    @model_validator(mode="after")
    def _unique_target_names(self) -> ScanConfig:
        names = [t.name for t in self.targets]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"target names must be unique: {', '.join(duplicates)}")
        return self


def load_config(path: str | Path) -> ScanConfig:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        raise ConfigError(f"{path}{line}: not valid YAML ({getattr(exc, 'problem', exc)})") from exc
    try:
        return ScanConfig.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        loc = [p for p in error["loc"]]
        where = ".".join(str(p) for p in loc) or "(top level)"
        return _raise(path, _line_of(node, loc), where, error["msg"])


def _raise(path: Path, line: int | None, where: str, message: str) -> ScanConfig:
    prefix = f"{path}:{line}" if line else str(path)
    raise ConfigError(f"{prefix}: {where}: {message}")


def _line_of(node: Any, loc: list[Any]) -> int | None:
    """The YAML line of the deepest node along ``loc`` that exists."""
    line = node.start_mark.line + 1 if node is not None else None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            match = next((v for k, v in node.value if k.value == part), None)
            if match is None:
                break
            node = match
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
        else:
            break
        line = node.start_mark.line + 1
    return line
