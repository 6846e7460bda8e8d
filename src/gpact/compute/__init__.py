"""Training compute: estimators, parameter counts, a ledger from real telemetry, forecasts.

The two legal lines — 10^23 FLOP (indicatively a GPAI model) and 10^25 FLOP (presumed
systemic risk) — and the one-third rule for modifiers all hang on training compute. This
package estimates it (architecture- or hardware-based), keeps a ledger of training phases in
which the rulebook decides what counts, ingests telemetry in bounded memory, and projects when
each line will be crossed and what that triggers.
"""

from gpact.compute.architecture import AttentionShape, estimate_architecture
from gpact.compute.estimate import Estimate, combine, significant
from gpact.compute.forecast import Crossing, Rate, forecast, legal_lines
from gpact.compute.hardware import Accelerator, Catalogue, estimate_hardware
from gpact.compute.ledger import Ledger, Point, ledger_from_telemetry, load_ledger
from gpact.compute.params import ParameterCount, count_from_config, count_from_safetensors
from gpact.compute.phases import PhaseRules
from gpact.compute.telemetry import ingest
from gpact.compute.units import parse_flop

__all__ = [
    "Accelerator", "AttentionShape", "Catalogue", "Crossing", "Estimate", "Ledger",
    "ParameterCount", "PhaseRules", "Point", "Rate", "combine", "count_from_config",
    "count_from_safetensors", "estimate_architecture", "estimate_hardware", "forecast",
    "ingest", "ledger_from_telemetry", "legal_lines", "load_ledger", "parse_flop",
    "significant",
]
