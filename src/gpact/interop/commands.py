"""What the interoperability subcommands of ``gpact docs`` do, behind thin CLI wrappers."""

from __future__ import annotations

from pathlib import Path

from gpact.documents.context import Context
from gpact.risk.schema import EvaluationLog, EvaluationRun


def evaluation_runs(profile: Path, risk_dir: Path | None = None) -> list[EvaluationRun]:
    """The model's evaluation log (``risk/evaluations.yaml`` beside the profile), if any."""
    from gpact.risk.store import load_file, record_path, risk_folder

    folder = risk_folder(profile, risk_dir)
    return list(load_file(record_path(folder, "evaluations"), EvaluationLog).evaluations)


def hf_card_text(ctx: Context, risk_dir: Path | None = None) -> tuple[str, list[str]]:
    """README.md for the hub, and the facts that could not be expressed in its metadata."""
    from gpact.interop.hf_card import export_card

    card = export_card(ctx, evaluation_runs(ctx.sources.loaded.path, risk_dir))
    return card.text, card.skipped
