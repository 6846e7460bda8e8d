"""`gpact compute`: estimate training compute, keep a ledger, forecast the legal lines."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from gpact import NOT_LEGAL_ADVICE, __version__
from gpact.cli.common import FORMAT_OPTION, Format, parse_date, print_json
from gpact.compute import (
    AttentionShape,
    Catalogue,
    Crossing,
    Estimate,
    Ledger,
    Rate,
    count_from_config,
    count_from_safetensors,
    estimate_architecture,
    estimate_hardware,
    forecast,
    ledger_from_telemetry,
    load_ledger,
    parse_flop,
    significant,
)
from gpact.compute.chart import chart_paths, draw
from gpact.compute.ledger import Quantity
from gpact.errors import InputError
from gpact.rulebook import RulesInForce, default_rulebook

app = typer.Typer(help="Training compute: estimates, ledger, threshold forecasts.",
                  no_args_is_help=True)

AS_OF = typer.Option(None, "--as-of", help="Date (YYYY-MM-DD) for the rules and deadlines; "
                     "default today.")


def _flop_option(value: str | None, option: str) -> float | None:
    return None if value is None else parse_flop(value, None, option)


def _header(rules: RulesInForce) -> dict[str, Any]:
    return {"gpact_version": __version__, "rulebook_version": rules.rulebook.version,
            "as_of": rules.as_of.isoformat(), "not_legal_advice": NOT_LEGAL_ADVICE}


def _footer(rules: RulesInForce) -> None:
    typer.echo(f"\ngpact {__version__} · rulebook {rules.rulebook.label()} · as of "
               f"{rules.as_of}\n{NOT_LEGAL_ADVICE}")


def _show_estimate(e: Estimate, indent: str = "") -> None:
    typer.echo(f"{indent}{e.flop:.3g} FLOP (range {e.low:.3g} – {e.high:.3g}); "
               f"method: {e.method}; formula: {e.formula}")
    for a in e.assumptions:
        typer.echo(f"{indent}  - {a}")
    if e.unverified_rules:
        typer.echo(f"{indent}  unverified rules used: {', '.join(e.unverified_rules)}")


@app.command()
def estimate(
    parameters: float | None = typer.Option(None, "--parameters", help="Total parameters."),
    tokens: float | None = typer.Option(None, "--tokens", help="Training tokens per epoch."),
    active_parameters: float | None = typer.Option(
        None, "--active-parameters", help="Parameters active per token (mixture-of-experts)."),
    epochs: float = typer.Option(1.0, "--epochs", help="Passes over the tokens."),
    config: Path | None = typer.Option(None, "--config", help="A Hugging Face config.json: "
                                       "parameters and attention shape are counted from it."),
    attention: bool = typer.Option(False, "--attention", help="Add the attention term "
                                   "(needs --config, or --layers/--context-length/--hidden-size)."),
    layers: int | None = typer.Option(None, "--layers", help="Layers (attention term)."),
    context_length: int | None = typer.Option(None, "--context-length",
                                              help="Context length in tokens (attention term)."),
    hidden_size: int | None = typer.Option(None, "--hidden-size",
                                           help="Model width (attention term)."),
    accelerator: str | None = typer.Option(None, "--accelerator", help="Accelerator name, "
                                           "see 'gpact compute accelerators'."),
    count: float | None = typer.Option(None, "--count", help="Number of accelerators."),
    hours: float | None = typer.Option(None, "--hours", help="Wall-clock hours of use."),
    utilization: float | None = typer.Option(None, "--utilization", help="Average utilisation "
                                             "of peak, 0-1 (default: the rulebook's range)."),
    precision: str = typer.Option("bf16", "--precision", help="fp32, tf32, bf16, fp16, fp8."),
    as_of: str | None = AS_OF,
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Estimate training compute from the architecture (6·N·D) or from the hardware (N·L·H·U)."""
    rules = default_rulebook().at(parse_date(as_of))
    arch_given = any(v is not None for v in (parameters, tokens, active_parameters, config))
    hw_given = any(v is not None for v in (accelerator, count, hours, utilization))
    if arch_given and hw_given:
        raise InputError(None, "--accelerator", "choose one method: architecture (--parameters "
                         "--tokens) or hardware (--accelerator --count --hours)")
    if hw_given:
        missing = [n for n, v in (("--accelerator", accelerator), ("--count", count),
                                  ("--hours", hours)) if v is None]
        if missing:
            raise InputError(None, missing[0], "missing (a hardware estimate needs "
                             "--accelerator, --count and --hours)")
        assert accelerator is not None and count is not None and hours is not None
        result = estimate_hardware(rules, accelerator, count, hours * 3600, precision,
                                   utilization)
    elif arch_given:
        shape = None
        if config is not None:
            counted = count_from_config(config)
            parameters = parameters or float(counted.total)
            if active_parameters is None and counted.active is not None:
                active_parameters = float(counted.active)
            if attention:
                shape = counted.attention
                if shape is None:
                    raise InputError(str(config), "max_position_embeddings",
                                     "missing; give --context-length")
        if layers or context_length or hidden_size or (attention and shape is None):
            if not (layers and context_length and hidden_size):
                raise InputError(None, "--layers", "the attention term needs --layers, "
                                 "--context-length and --hidden-size (or --config)")
            shape = AttentionShape(layers, context_length, hidden_size)
        if parameters is None:
            raise InputError(None, "--parameters", "missing (or give --config)")
        if tokens is None:
            raise InputError(None, "--tokens", "missing")
        result = estimate_architecture(rules, parameters, tokens,
                                       active_parameters=active_parameters, epochs=epochs,
                                       attention=shape)
    else:
        raise InputError(None, "--parameters", "give --parameters and --tokens, or "
                         "--accelerator, --count and --hours")
    if fmt is Format.json:
        print_json({**result.to_dict(), **_header(rules),
                    "notification_figure": significant(result.flop, _digits(rules))})
        return
    _show_estimate(result)
    _footer(rules)


def _digits(rules: RulesInForce) -> int:
    return int(rules.value("guidelines.compute.notification_significant_figures"))


@app.command()
def params(
    files: list[Path] = typer.Argument(..., help="config.json, or .safetensors files/folders."),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Count parameters: by formula from config.json, or exactly from .safetensors headers."""
    if len(files) == 1 and files[0].suffix == ".json":
        counted = count_from_config(files[0])
    else:
        counted = count_from_safetensors(files)
    if fmt is Format.json:
        print_json(counted.to_dict())
        return
    typer.echo(f"{counted.total:,} parameters ({counted.total:.3g}); {counted.method}")
    if counted.active is not None:
        typer.echo(f"{counted.active:,} active per token ({counted.active:.3g})")


@app.command()
def accelerators(as_of: str | None = AS_OF, fmt: Format = FORMAT_OPTION) -> None:
    """The accelerator catalogue: dense peak FLOP/s per number format, with sources."""
    rules = default_rulebook().at(parse_date(as_of))
    cat = Catalogue(rules)
    if fmt is Format.json:
        print_json({**_header(rules), "accelerators": [
            {"id": a.id, "name": a.name, "aliases": list(a.aliases), "peak_flops": a.peak_flops,
             "source": a.source, "confidence": a.confidence, "note": a.note}
            for a in cat.accelerators]})
        return
    typer.echo(f"{'id':<10} {'fp32':>8} {'tf32':>8} {'bf16':>8} {'fp16':>8} {'fp8':>8}  "
               "(TFLOP/s dense)  confidence  name")
    for a in cat.accelerators:
        cells = " ".join(f"{a.peak_flops[p] / 1e12:>8g}" if p in a.peak_flops else f"{'—':>8}"
                         for p in ("fp32", "tf32", "bf16", "fp16", "fp8"))
        typer.echo(f"{a.id:<10} {cells}  {a.confidence:<10}  {a.name}")
    typer.echo("\nSources (per accelerator; 'unverified' figures need the vendor datasheet):")
    for a in cat.accelerators:
        typer.echo(f"  {a.id}: {a.source}" + (f" — {a.note}" if a.note else ""))


def _report(ledger: Ledger, rules: RulesInForce, crossings: list[Crossing],
            rates: dict[Quantity, Rate]) -> dict[str, Any]:
    digits = _digits(rules)
    total = ledger.total("cumulative")
    # Top-level flop/low/high/method: what `gpact docs` reads from `references.compute_ledger`.
    return {**_header(rules), "flop": total.flop, "low": total.low, "high": total.high,
            "method": ledger.methodology(), **ledger.to_dict(),
            "notification_figure": significant(ledger.total("cumulative").flop, digits),
            "rates_flop_per_day": {q: {"central": r.flop_per_day, "low": r.low, "high": r.high,
                                       "window_days": r.window_days} for q, r in rates.items()},
            "crossings": [c.to_dict() for c in crossings]}


def _render(ledger: Ledger, rules: RulesInForce, crossings: list[Crossing],
            rates: dict[Quantity, Rate], fmt: Format, charts: tuple[Path, Path] | None) -> None:
    if fmt is Format.json:
        data = _report(ledger, rules, crossings, rates)
        if charts:
            data["chart"] = [str(p) for p in charts]
        print_json(data)
        return
    md = fmt is Format.md
    h = "## " if md else ""
    title = f"Training compute{f' — {ledger.model}' if ledger.model else ''}"
    bullet = "- " if md else ""
    typer.echo(f"# {title}\n\n## Totals\n" if md else title)
    totals: list[tuple[Quantity, str]] = [
        ("cumulative", "Cumulative training compute (Art. 51(2))"),
        ("parameter_update", "Compute directly updating parameters (10^23, 1/3)")]
    for q, label in totals:
        total = ledger.total(q)
        typer.echo(f"{bullet}{label}: {total.flop:.3g} FLOP (range {total.low:.3g} – "
                   f"{total.high:.3g})")
    typer.echo(f"{bullet or '  '}as the Art. 52 notification states it: "
               f"{significant(ledger.total('cumulative').flop, _digits(rules))} FLOP")
    typer.echo(f"\n{h}Entries")
    for e in ledger.entries:
        counted = [n for n, ok in (("cumulative", e.phase.cumulative),
                                   ("parameter-update", e.phase.parameter_update)) if ok]
        typer.echo(f"{bullet}{e.id} [{e.phase.id}; counts: "
                   f"{', '.join(counted) or 'nothing'}]"
                   + (f" — evidence: {e.evidence}" if e.evidence else ""))
        _show_estimate(e.estimate, "    ")
    typer.echo(f"\n{h}What counts (rulebook guidelines.compute.phase_counting)")
    for line in ledger.basis:
        typer.echo(f"- {line}")
    typer.echo(f"\n{h}Thresholds")
    for c in crossings:
        typer.echo(f"- {c.line.id} (> {c.line.threshold:.3g} FLOP, {c.line.quantity}): "
                   f"{c.text}. Consequence: {c.line.consequence} ({c.line.source}).")
    for q, r in rates.items():
        typer.echo(f"  recent rate ({q}): {r.flop_per_day:.3g} FLOP/day "
                   f"(range {r.low:.3g} – {r.high:.3g}, over {r.window_days:.1f} days)")
    for w in ledger.warnings:
        typer.echo(f"warning: {w}", err=True)
    if charts:
        typer.echo(f"\nchart: {charts[0]} and {charts[1]}")
    _footer(rules)


def _finish(ledger: Ledger, rules: RulesInForce, fmt: Format, chart: Path | None,
            planned: float | None, base: float | None) -> None:
    if chart is not None:
        chart_paths(chart)  # refuse a bad name before any work is shown
    planned = planned if planned is not None else ledger.planned_total_flop
    base = base if base is not None else ledger.base_model_compute_flop
    crossings, rates = forecast(ledger.series, rules, rules.as_of, planned_total=planned,
                                base_compute=base)
    charts = None
    if chart is not None:
        title = f"Training compute{f' — {ledger.model}' if ledger.model else ''}"
        charts = draw(chart, ledger.series, crossings, rates, title=title,
                      rulebook_label=rules.rulebook.label(), planned_total=planned)
    _render(ledger, rules, crossings, rates, fmt, charts)


CHART = typer.Option(None, "--chart", help="Write a chart to this .png (and the same name .svg).")
PLANNED = typer.Option(None, "--planned-total", help="Planned total compute, FLOP.")
BASE = typer.Option(None, "--base-compute", help="Base model's training compute, FLOP "
                    "(for the one-third test of a modification).")


@app.command()
def ledger(
    file: Path = typer.Argument(..., help="A ledger YAML file (gpact_ledger: 1) or a telemetry "
                                "file."),
    chart: Path | None = CHART,
    planned_total: str | None = PLANNED,
    base_compute: str | None = BASE,
    as_of: str | None = AS_OF,
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Total a compute ledger by the rulebook's counting rules, with ranges and thresholds."""
    rules = default_rulebook().at(parse_date(as_of))
    led = load_ledger(file, rules)
    _finish(led, rules, fmt, chart, _flop_option(planned_total, "--planned-total"),
            _flop_option(base_compute, "--base-compute"))


@app.command("forecast")
def forecast_cmd(
    telemetry: list[Path] = typer.Argument(..., help="Telemetry files (.csv, .jsonl, .parquet)."),
    planned_total: str | None = PLANNED,
    base_compute: str | None = BASE,
    parameters: float | None = typer.Option(None, "--parameters", help="Parameters (active "
                                            "ones for mixture-of-experts) for rows with tokens."),
    utilization: float | None = typer.Option(None, "--utilization", help="Utilisation, 0-1."),
    precision: str = typer.Option("bf16", "--precision", help="Default number format."),
    chart: Path | None = CHART,
    as_of: str | None = AS_OF,
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Project from telemetry when 10^23, a third of the base model and 10^25 are crossed."""
    rules = default_rulebook().at(parse_date(as_of))
    led = ledger_from_telemetry(telemetry, rules, parameters=parameters,
                                utilization=utilization, precision=precision)
    _finish(led, rules, fmt, chart, _flop_option(planned_total, "--planned-total"),
            _flop_option(base_compute, "--base-compute"))
