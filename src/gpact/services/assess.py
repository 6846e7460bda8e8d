"""Assess profiles: the use case behind `gpact assess`, the API and the web app."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from gpact.assess import Assessment, assess
from gpact.profile import LoadedProfile, find_profiles, load_profile
from gpact.rulebook import Rulebook, default_rulebook
from gpact.services.compute_facts import compute_figures


def assess_profile(loaded: LoadedProfile, as_of: dt.date,
                   rulebook: Rulebook | None = None) -> Assessment:
    cumulative, update = compute_figures(loaded, as_of, rulebook)
    result = assess(loaded.profile, as_of, rulebook or default_rulebook(), cumulative, update)
    result.source = str(loaded.path)
    result.warnings = list(loaded.warnings)
    return result


def assess_paths(paths: Sequence[str | Path], as_of: dt.date,
                 rulebook: Rulebook | None = None) -> list[Assessment]:
    """Assess every profile among files and folders; the first bad file stops the run."""
    return [assess_profile(load_profile(p), as_of, rulebook) for p in find_profiles(paths)]
