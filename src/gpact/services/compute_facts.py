"""Turn a profile into the compute figures the assessment compares with the thresholds."""

from __future__ import annotations

from gpact.assess.compute_facts import ComputeFigure
from gpact.profile import LoadedProfile


def compute_figures(loaded: LoadedProfile) -> tuple[ComputeFigure, ComputeFigure]:
    """(cumulative training compute, compute directly updating parameters).

    Parameter-update compute defaults to the cumulative figure (design.md §2). For a model
    modified by another provider without its own cumulative figure, cumulative compute is the
    base model's plus the modification's, when both are known.
    """
    m = loaded.profile.model
    cumulative = ComputeFigure(m.training_compute_flop, "model.training_compute_flop")
    base = m.base_model
    if cumulative.value is None and base is not None \
            and base.training_compute_flop is not None \
            and base.modification_compute_flop is not None:
        cumulative = ComputeFigure(base.training_compute_flop + base.modification_compute_flop,
                                   "base model compute + modification compute")
    if m.parameter_update_compute_flop is not None:
        update = ComputeFigure(m.parameter_update_compute_flop,
                               "model.parameter_update_compute_flop")
    else:
        update = cumulative
    return cumulative, update
