"""Systemic-risk use cases: open a model's risk records, list its clocks, build its calendar.

The CLI (``gpact risk``, ``gpact incident``, ``gpact calendar``) and later the web app call these;
the arithmetic lives in ``gpact.risk``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from gpact.profile import LoadedProfile, find_profiles, load_profile
from gpact.risk.calendar import (
    CalendarEvent,
    events_from_assessment,
    events_from_clocks,
    model_identity,
    sort_events,
)
from gpact.risk.clocks import (
    Clock,
    framework_clocks,
    incident_clocks,
    model_report_clocks,
    request_clock,
    require_code_in_force,
)
from gpact.risk.documents import ModelInfo
from gpact.risk.store import RiskRecords, load_records, risk_folder
from gpact.rulebook import Rulebook, RulesInForce, default_rulebook
from gpact.services.assess import assess_profile


@dataclass(frozen=True)
class ModelRisk:
    """One model's profile, its risk records and the rules in force on ``as_of``."""

    loaded: LoadedProfile
    records: RiskRecords
    model: ModelInfo
    as_of: dt.date
    rulebook: Rulebook
    rules: RulesInForce


def open_model(profile: str | Path, as_of: dt.date, risk_dir: Path | None = None,
               rulebook: Rulebook | None = None) -> ModelRisk:
    loaded = load_profile(profile)
    records = load_records(risk_folder(loaded.path, risk_dir))
    return model_risk(loaded, records, as_of, rulebook)


def model_risk(loaded: LoadedProfile, records: RiskRecords, as_of: dt.date,
               rulebook: Rulebook | None = None) -> ModelRisk:
    """A model's risk view from a profile and records already in memory (the server's)."""
    book = rulebook or default_rulebook()
    p = loaded.profile
    info = ModelInfo(p.model.name, p.model.version, p.provider.name,
                     p.model.release.placed_on_market_on if p.model.release else None,
                     _description(loaded))
    rules = book.at(as_of)
    require_code_in_force(rules)
    return ModelRisk(loaded, records, info, as_of, book, rules)


def _description(loaded: LoadedProfile) -> tuple[tuple[str, str], ...]:
    """What the profile says about the model, for the Model Report's description."""
    m = loaded.profile.model
    facts = [("Parameters", f"{m.parameters:.2g}" if m.parameters else None),
             ("Cumulative training compute (FLOP)",
              f"{m.training_compute_flop:.2g}" if m.training_compute_flop else None),
             ("Inputs", ", ".join(m.inputs) or None), ("Outputs", ", ".join(m.generates) or None),
             ("Distribution channels", ", ".join(m.release.channels) if m.release else None),
             ("Base model", m.base_model.name if m.base_model else None)]
    return tuple((k, v) for k, v in facts if v)


def risk_clocks(m: ModelRisk, incidents: bool = True) -> list[Clock]:
    """Every dated systemic-risk clock of the model: Framework and Model Report (only when a risk
    register is kept: the Safety & Security chapter is for systemic-risk models), incidents,
    requests (withdrawn requests and incidents bundled into another have none of their own)."""
    reg = m.records.register
    clocks: list[Clock] = []
    if "register" in m.records.present:
        clocks += framework_clocks(reg, m.model.placed_on, m.rules)
        clocks += model_report_clocks(reg.model_report, m.model.placed_on, m.rules, reg)
    if incidents:
        for inc in m.records.incidents.incidents:
            if inc.bundled_with is None:
                clocks += incident_clocks(inc, m.as_of, m.rules)
    clocks += [request_clock(r, m.rules) for r in m.records.requests.requests
               if r.status != "withdrawn"]
    return clocks


def calendar_events(paths: Sequence[str | Path], as_of: dt.date, *,
                    include_assessment: bool = True, risk_dir: Path | None = None,
                    rulebook: Rulebook | None = None) -> tuple[list[CalendarEvent], list[str]]:
    """Events of every profile among files and folders, and warnings about the inputs."""
    events: list[CalendarEvent] = []
    warnings: list[str] = []
    seen_folders: dict[Path, str] = {}
    for path in find_profiles(paths):
        m = open_model(path, as_of, risk_dir, rulebook)
        folder = m.records.folder.resolve()
        if folder in seen_folders and m.records.present:
            warnings.append(f"{path}: shares {m.records.folder} with {seen_folders[folder]}; "
                            f"put each model's records in risk/<profile name>/")
        seen_folders.setdefault(folder, str(path))
        if include_assessment:
            assessment = assess_profile(m.loaded, as_of, m.rulebook)
            events += events_from_assessment(assessment.to_dict(), as_of)
            if assessment.systemic_risk.value and "register" not in m.records.present:
                warnings.append(f"{path}: systemic-risk model without a risk register in "
                                f"{m.records.folder}: Framework and Model Report deadlines "
                                "are not shown")
        events += events_from_clocks(model_identity(m.model.provider, m.model.name,
                                                    m.model.version), risk_clocks(m), as_of)
    return sort_events(events), warnings
