"""Cumulative compute over time against the legal lines, with the forecast band (PNG + SVG).

matplotlib is an optional extra (``pip install 'gpact[chart]'``): only the chart needs it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

from gpact import __version__
from gpact.compute.forecast import Crossing, Rate
from gpact.compute.ledger import Point, Quantity
from gpact.errors import InputError

if TYPE_CHECKING:
    from matplotlib.axes import Axes

LABELS: dict[Quantity, str] = {
    "cumulative": "cumulative training compute",
    "parameter_update": "compute updating parameters",
}
COLOURS: dict[Quantity, str] = {"cumulative": "#1f4e79", "parameter_update": "#2e7d32"}


def chart_paths(out: Path) -> tuple[Path, Path]:
    """out.png -> (out.png, out.svg); any other suffix is refused."""
    if out.suffix.lower() not in (".png", ".svg"):
        raise InputError(str(out), "--chart", "the chart is written as .png and .svg; "
                         "name it e.g. compute.png")
    return out.with_suffix(".png"), out.with_suffix(".svg")


def draw(out: Path, series: dict[Quantity, list[Point]], crossings: list[Crossing],
         rates: dict[Quantity, Rate], *, title: str, rulebook_label: str,
         planned_total: float | None = None) -> tuple[Path, Path]:
    """Write the chart as PNG and SVG next to each other; returns both paths."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise InputError(None, "--chart", "the chart needs matplotlib: "
                         "pip install 'gpact[chart]'") from None
    png, svg = chart_paths(out)
    if not any(series.values()):
        raise InputError(None, "--chart", "no dated compute to draw: give entries "
                         "started_on/ended_on, or telemetry")
    fig, ax = plt.subplots(figsize=(10, 5.6), dpi=120)
    horizon = _draw_series(ax, series, rates, crossings, planned_total)
    for c in crossings:
        ax.axhline(c.line.threshold, color="#b71c1c" if c.line.notify else "#ef6c00",
                   lw=1, ls="--")
        ax.annotate(f"{c.line.threshold:.2g} FLOP — {c.line.id.replace('_', ' ')}: {c.status}",
                    xy=(0.01, c.line.threshold), xycoords=("axes fraction", "data"),
                    xytext=(0, 3), textcoords="offset points", fontsize=8,
                    color="#b71c1c" if c.line.notify else "#ef6c00")
        if c.date:
            ax.axvline(_num(dt.datetime.combine(c.date, dt.time(), dt.UTC)), color="#999999",
                       lw=0.6, ls=":")
    if planned_total:
        ax.axhline(planned_total, color="#555555", lw=1, ls="-.")
        ax.annotate(f"planned total {planned_total:.2g} FLOP", xy=(0.99, planned_total),
                    xycoords=("axes fraction", "data"), xytext=(0, 3),
                    textcoords="offset points", ha="right", fontsize=8, color="#555555")
    ax.set_yscale("log")
    ax.set_ylabel("FLOP")
    ax.set_xlim(right=_num(horizon))
    ax.xaxis_date()
    ax.set_title(title)
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(loc="lower right", fontsize=8)
    fig.autofmt_xdate()
    fig.text(0.01, 0.01, f"gpact {__version__} · rulebook {rulebook_label} · "
             "not legal advice", fontsize=7, color="#666666")
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    png.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(png)
    fig.savefig(svg)
    plt.close(fig)
    return png, svg


def _num(at: dt.datetime) -> float:
    """matplotlib's date number: days since 1970-01-01 UTC."""
    return at.timestamp() / 86400


def _draw_series(ax: Axes, series: dict[Quantity, list[Point]], rates: dict[Quantity, Rate],
                 crossings: list[Crossing], planned: float | None) -> dt.datetime:
    """Plot each quantity with its range and forecast band (stopping at the planned total);
    return the right edge of the x axis."""
    horizon = max(p[-1].at for p in series.values() if p)
    dates = [d for c in crossings for d in (c.date, c.latest) if d]
    if dates:
        horizon = max(horizon, dt.datetime.combine(max(dates), dt.time(), dt.UTC))
    last_seen = max(p[-1].at for p in series.values() if p)
    horizon = min(horizon, last_seen + dt.timedelta(days=365))
    horizon = max(horizon, last_seen + dt.timedelta(days=7))
    # Compute updating parameters is drawn as a dotted line under the cumulative figure, which
    # carries the range and the forecast band (the two are often almost the same curve).
    for q in ("parameter_update", "cumulative"):
        points = [p for p in series.get(q, []) if p.flop > 0]  # a log axis has no zero
        if not points:
            continue
        xs = [_num(p.at) for p in points]
        colour = COLOURS[q]
        main = q == "cumulative"
        ax.plot(xs, [p.flop for p in points], color=colour, lw=1.8 if main else 1.4,
                ls="-" if main else ":", label=LABELS[q], zorder=3 if main else 2)
        if not main:
            continue
        ax.fill_between(xs, [p.low for p in points], [p.high for p in points],
                        color=colour, alpha=0.15, lw=0, label="range of the estimate")
        rate = rates.get(q)
        if rate is None:
            continue
        last = points[-1]
        days = (horizon - last.at).total_seconds() / 86400
        fx = [_num(last.at) + days * i / 20 for i in range(21)]
        step = [days * i / 20 for i in range(21)]
        cap = planned if planned and planned > last.flop else float("inf")
        ax.plot(fx, [min(last.flop + rate.flop_per_day * d, cap) for d in step], color=colour,
                lw=1.2, ls="--", label=f"{LABELS[q]}: forecast")
        ax.fill_between(fx, [min(max(last.low + rate.low * d, 1.0), cap) for d in step],
                        [min(last.high + rate.high * d, cap) for d in step], color=colour,
                        alpha=0.08, lw=0, hatch="//")
    return horizon
