"""What the interoperability subcommands of ``gpact docs`` do, behind thin CLI wrappers."""

from __future__ import annotations

import datetime as dt
import json
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


def receive_report(package: Path, store: Path, as_of: dt.date | None, system: str | None,
                   fmt: str) -> tuple[str, bool]:
    """The receipt of a documentation package as text, Markdown or JSON; and whether it is
    complete (no required Annex XII item missing)."""
    from gpact import NOT_LEGAL_ADVICE
    from gpact.interop.receive import receive

    r = receive(package, store, as_of, system)
    if fmt == "json":
        return json.dumps(r.to_dict(), indent=2, ensure_ascii=False), not r.missing
    head, bullet = ("## ", "- ") if fmt == "md" else ("", "  ")
    state = "kept as evidence" if r.created else "already received (same content)"
    lines = [f"gpact · rulebook {r.rulebook} · {NOT_LEGAL_ADVICE}", "",
             f"{head}Documentation package for {r.model} from {r.provider}",
             f"{state}: {r.folder} (sha256 {r.digest[:12]})"]
    if r.kind is None:
        lines.append("no gpact document in the package: every Annex XII item is reported "
                     "missing; check the files by hand")
    if r.unreadable:
        lines.append(f"kept but not read for fields: {', '.join(r.unreadable)}")
    lines += ["", f"{head}Annex XII (Art. 53(1)(b)): {len(r.missing)} missing, "
              f"{len(r.weak)} weak of {len(r.fields)} items"]
    for f in r.fields:
        if f.status in ("missing", "weak"):
            optional = "" if f.required else " (optional)"
            lines.append(f"{bullet}{f.status.upper()}{optional} {f.number} {f.label} — "
                         f"{'; '.join(f.problems)} [{f.source}]")
    lines += ["", "result: " + ("complete — every required Annex XII item is present" if
                                not r.missing else "INCOMPLETE — ask the provider for the "
                                "missing items (Code of Practice, Transparency M1.2)")]
    return "\n".join(lines), not r.missing
