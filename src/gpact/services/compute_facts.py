"""Turn a profile into the compute figures the assessment compares with the thresholds.

A profile gives its figures directly (``model.training_compute_flop`` …) or points at a compute
ledger (``model.compute_ledger``, a path relative to the profile file: a ledger YAML or a
telemetry file). The ledger's totals carry a range, so the assessment can say when the range
straddles a threshold and which way the central estimate falls.
"""

from __future__ import annotations

import datetime as dt

from gpact.assess.compute_facts import ComputeFigure
from gpact.compute import Estimate, Ledger, load_ledger
from gpact.errors import InputError
from gpact.profile import LoadedProfile
from gpact.rulebook import Rulebook, default_rulebook


def compute_figures(loaded: LoadedProfile, as_of: dt.date | None = None,
                    rulebook: Rulebook | None = None) -> tuple[ComputeFigure, ComputeFigure]:
    cumulative, update, _ = all_figures(loaded, as_of, rulebook)
    return cumulative, update


def all_figures(loaded: LoadedProfile, as_of: dt.date | None = None,
                rulebook: Rulebook | None = None
                ) -> tuple[ComputeFigure, ComputeFigure, ComputeFigure]:
    """(cumulative training compute, compute directly updating parameters).

    Parameter-update compute defaults to the cumulative figure (design.md §2). For a model
    modified by another provider without its own cumulative figure, cumulative compute is the
    base model's plus the modification's, when both are known. Figures the profile leaves out
    come from its compute ledger, if it names one; a figure given in the profile wins, with a
    warning when it lies outside the ledger's range.
    """
    m = loaded.profile.model
    ledger = _ledger(loaded, as_of, rulebook) if m.compute_ledger else None
    cumulative = ComputeFigure(m.training_compute_flop, "model.training_compute_flop")
    if ledger is not None:
        cumulative = _from_ledger(loaded, cumulative, ledger.total("cumulative"),
                                  "model.training_compute_flop", "cumulative")
    base = m.base_model
    if cumulative.value is None and base is not None \
            and base.training_compute_flop is not None \
            and base.modification_compute_flop is not None:
        cumulative = ComputeFigure(base.training_compute_flop + base.modification_compute_flop,
                                   "base model compute + modification compute")
    update = ComputeFigure(m.parameter_update_compute_flop,
                           "model.parameter_update_compute_flop")
    if ledger is not None:
        update = _from_ledger(loaded, update, ledger.total("parameter_update"),
                              "model.parameter_update_compute_flop", "parameter-update")
    if update.value is None:
        update = cumulative
    planned = ComputeFigure(m.planned_training_compute_flop,
                            "planned cumulative training compute (model.planned_training_"
                            "compute_flop)")
    if planned.value is None and ledger is not None and ledger.planned_total_flop is not None:
        planned = ComputeFigure(ledger.planned_total_flop,
                                f"planned total of the compute ledger {m.compute_ledger}")
    if update.value is None and planned.value is not None:
        # A model still in training: the plan is the only figure for the GPAI indicator.
        update = ComputeFigure(planned.value, f"{planned.origin}, used because no actual "
                               "figure is given")
    return cumulative, update, planned


def _ledger(loaded: LoadedProfile, as_of: dt.date | None, rulebook: Rulebook | None) -> Ledger:
    ref = loaded.profile.model.compute_ledger or ""
    path = loaded.path.parent / ref
    if not path.is_file():
        raise InputError(str(loaded.path), "model.compute_ledger",
                         f"no such ledger file: {path}")
    rules = (rulebook or default_rulebook()).at(as_of or dt.date.today(), lookahead=True)
    ledger = load_ledger(path, rules, progress=False)
    loaded.warnings.extend(f"{ref}: {w}" for w in ledger.warnings)
    threshold = rules.rule("ai_act.art51.presumption_threshold_flop")
    planned = ledger.planned_total_flop
    if planned is not None and planned > float(threshold.value) \
            and loaded.profile.model.threshold_known_on is None:
        loaded.warnings.append(
            f"{ref}: the planned total ({planned:.2g} FLOP) exceeds {float(threshold.value):.2g} "
            f"FLOP, so it is known that the threshold will be met ({threshold.source}; Art. 52(1) "
            "notification within two weeks): set model.threshold_known_on to the date this "
            "became known")
    return ledger


def _from_ledger(loaded: LoadedProfile, given: ComputeFigure, total: Estimate, field: str,
                 label: str) -> ComputeFigure:
    ref = loaded.profile.model.compute_ledger
    if given.value is None:
        return ComputeFigure(total.flop, f"compute ledger {ref}, {label} total",
                             total.low, total.high)
    if not total.low <= given.value <= total.high:
        loaded.warnings.append(
            f"{field} ({given.value:.3g} FLOP) lies outside the range of the compute ledger "
            f"{ref} ({total.low:.3g}–{total.high:.3g} FLOP); the profile's figure is used")
    return given
