"""Read model profiles from YAML or JSON and turn every problem into a line a person can act on.

Errors name the file, the field path and (for YAML) the line, and suggest the nearest field
name for a misspelt key. Reading and parsing are bounded (gpact.safeio, docs/limits.md).
Implausible but valid values become warnings, not errors.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from gpact import safeio
from gpact.errors import InputError
from gpact.profile.schema import Profile

PROFILE_SUFFIXES = (".yaml", ".yml", ".json")


class ProfileError(InputError):
    """One or more problems in one profile file; each is a line of its own."""

    def __init__(self, file: str, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(file, None, "; ".join(problems))

    def lines(self) -> list[str]:
        return [f"{self.file}: {p}" for p in self.problems]


@dataclass(frozen=True)
class LoadedProfile:
    path: Path
    profile: Profile
    warnings: list[str] = field(default_factory=list)


def load_profile(path: str | Path) -> LoadedProfile:
    """Load and validate one profile file."""
    path = Path(path)
    data, node = _read(path)
    return _validate(path, data, node)


def parse_profile(text: str, name: str = "<profile>") -> LoadedProfile:
    """Validate a profile given as YAML or JSON text (the web form and the API use this)."""
    data, node = _parse_text(text, name)
    return _validate(Path(name), data, node)


def find_profiles(paths: Sequence[str | Path]) -> list[Path]:
    """Expand files and folders into profile files; folders contribute files with a `gpact` key."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            in_dir = [p for p in sorted(path.iterdir())
                      if p.suffix in PROFILE_SUFFIXES and p.is_file() and _looks_like_profile(p)]
            if not in_dir:
                raise InputError(str(path), None, "folder holds no gpact profiles (*.yaml, *.json "
                                 "with a top-level 'gpact:' key)")
            found.extend(in_dir)
        elif path.is_file():
            found.append(path)
        else:
            raise InputError(str(path), None, "no such file or folder")
    return found


def _looks_like_profile(path: Path) -> bool:
    if path.stat().st_size > safeio.PROFILE.max_bytes:
        return False  # too large to be a profile: some other gpact file (a risk log, ...)
    try:
        data, _ = _read(path)
    except InputError:
        return True  # let the real load report the syntax error
    return isinstance(data, dict) and "gpact" in data and "model" in data


def _read(path: Path) -> tuple[Any, yaml.Node | None]:
    if path.is_dir():
        raise InputError(str(path), None, "is a folder, expected a profile file")
    text = safeio.read_text(path, safeio.PROFILE)
    return _parse_text(text, str(path), json_only=path.suffix == ".json")


def _parse_text(text: str, name: str, json_only: bool = False) -> tuple[Any, yaml.Node | None]:
    if json_only:
        data, node = safeio.parse_json(text, name, safeio.PROFILE), None
    else:
        parsed = safeio.parse_yaml(text, name, safeio.PROFILE)
        data, node = parsed.data, parsed.node
    if data is None:
        raise InputError(name, None, "empty file, expected a gpact profile")
    if not isinstance(data, dict):
        raise InputError(name, None, "expected a mapping with 'gpact', 'provider' and 'model'")
    return data, node


def _validate(path: Path, data: Any, node: yaml.Node | None) -> LoadedProfile:
    try:
        profile = Profile.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors()
        problems = [_describe(err, node) for err in errors[:safeio.MAX_PROBLEMS]]
        raise ProfileError(str(path), safeio.capped(problems, len(errors))) from None
    return LoadedProfile(path, profile, plausibility_warnings(profile))


def _describe(err: Any, node: yaml.Node | None) -> str:
    loc: tuple[str | int, ...] = tuple(err["loc"])
    dotted = safeio.dotted(loc)
    line = safeio.line_of(node, loc)
    where = f"{dotted} (line {line})" if line else dotted
    if err["type"] == "extra_forbidden":
        allowed = _fields_at(loc[:-1])
        close = safeio.did_you_mean(str(loc[-1]), allowed)
        hint = f"; did you mean '{close}'?" if close else (
            f"; allowed: {', '.join(allowed)}" if allowed else "")
        return f"{where}: unknown field{hint}"
    if err["type"] == "missing":
        return f"{where}: required field is missing"
    msg = str(err["msg"]).removeprefix("Value error, ")
    if "input" in err and not isinstance(err["input"], dict | list):
        msg = f"{msg} (got {safeio.shown(err['input'])})"
    return f"{where}: {msg}"


def _fields_at(loc: tuple[str | int, ...]) -> list[str]:
    """Field names allowed at a location, by walking the schema classes."""
    cls: type[BaseModel] | None = Profile
    for part in loc:
        if isinstance(part, int):
            continue
        fld = cls.model_fields.get(part) if cls is not None else None
        if fld is None:
            return []
        cls = _model_class(fld.annotation)
    return sorted(cls.model_fields) if cls is not None else []


def _model_class(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _model_class(arg)
        if found is not None:
            return found
    return None


def plausibility_warnings(profile: Profile) -> list[str]:
    """Valid values that are probably typos (e.g. an exponent given instead of a number)."""
    m = profile.model
    warnings: list[str] = []
    flop_fields: list[tuple[str, float | None]] = [
        ("model.training_compute_flop", m.training_compute_flop),
        ("model.parameter_update_compute_flop", m.parameter_update_compute_flop),
    ]
    if m.base_model is not None:
        flop_fields += [
            ("model.base_model.training_compute_flop", m.base_model.training_compute_flop),
            ("model.base_model.modification_compute_flop", m.base_model.modification_compute_flop),
        ]
    for name, value in flop_fields:
        if value is not None and 0 < value < 1e12:
            hint = f" — did you mean 1e{int(value)}?" if value <= 40 and value.is_integer() else ""
            warnings.append(
                f"{name}: {value:g} FLOP is implausibly small for training compute{hint}")
    if m.parameters is not None and 0 < m.parameters < 1e4:
        hint = f" — did you mean 1e{int(m.parameters)}?" if m.parameters <= 16 \
            and m.parameters.is_integer() else ""
        warnings.append(f"model.parameters: {m.parameters:g} is implausibly small{hint}")
    if (m.training_compute_flop is not None and m.parameter_update_compute_flop is not None
            and m.parameter_update_compute_flop > m.training_compute_flop):
        warnings.append("model.parameter_update_compute_flop exceeds model.training_compute_flop; "
                        "compute updating parameters is part of cumulative compute")
    placed = m.release.placed_on_market_on if m.release else None
    if placed is not None and m.training_started_on is not None and placed < m.training_started_on:
        warnings.append(f"model.release.placed_on_market_on ({placed}) is before "
                        f"model.training_started_on ({m.training_started_on}): a model's lifecycle "
                        "starts with its large pre-training run")
    if m.threshold_known_on is not None and m.training_started_on is not None \
            and m.threshold_known_on < m.training_started_on:
        warnings.append("model.threshold_known_on is before model.training_started_on")
    return warnings
