"""Assess profiles: the use case behind `gpact assess`, the API and the web app."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from gpact.assess import Assessment, assess
from gpact.assess.engine import check_as_of
from gpact.errors import InputError
from gpact.profile import LoadedProfile, find_profiles, load_profile
from gpact.rulebook import Rulebook, default_rulebook
from gpact.services.compute_facts import all_figures


def assess_profile(loaded: LoadedProfile, as_of: dt.date,
                   rulebook: Rulebook | None = None) -> Assessment:
    """Assess one profile; bad input (including facts that contradict each other) names the
    profile file."""
    book = rulebook or default_rulebook()
    check_as_of(book, as_of)
    try:
        cumulative, update, planned = all_figures(loaded, as_of, book)
        result = assess(loaded.profile, as_of, book, cumulative, update, planned)
    except InputError as exc:
        if exc.file is None:
            raise InputError(str(loaded.path), exc.field, exc.problem) from None
        raise
    result.source = str(loaded.path)
    result.warnings = list(loaded.warnings)
    return result


def assess_paths(paths: Sequence[str | Path], as_of: dt.date,
                 rulebook: Rulebook | None = None) -> list[Assessment]:
    """Assess every profile among files and folders; the first bad file stops the run."""
    return [assess_profile(load_profile(p), as_of, rulebook) for p in find_profiles(paths)]
