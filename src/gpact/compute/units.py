"""FLOP amounts written by people: numbers, or numbers with an SI-prefixed FLOP unit."""

from __future__ import annotations

import math
import re

from gpact.errors import InputError

PREFIXES = {"": 1.0, "k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12, "P": 1e15, "E": 1e18,
            "Z": 1e21, "Y": 1e24}
_AMOUNT = re.compile(r"^\s*([-+]?[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)\s*([kMGTPEZY]?)FLOPs?\s*$")


def parse_flop(value: object, file: str | None = None, field: str | None = None) -> float:
    """6.3e24, "6.3e24", "6.3e24 FLOP" or "6.3 YFLOP" -> 6.3e24. Rates (FLOP/s) are refused."""
    if isinstance(value, bool):
        raise InputError(file, field, f"expected a FLOP amount, got {value!r}")
    if isinstance(value, int | float):
        try:
            number = float(value)
        except OverflowError:  # an integer beyond any float
            raise InputError(file, field, "must be a finite, non-negative amount") from None
    elif isinstance(value, str):
        text = value.strip()
        if re.search(r"FLOPS?\s*/\s*s|FLOP/s|FLOPS$", text):
            raise InputError(file, field, f"{value!r} is a rate (FLOP per second), not an amount "
                             "of compute; multiply by the duration or use a hardware estimate")
        match = _AMOUNT.match(text)
        if match:
            number = float(match.group(1)) * PREFIXES[match.group(2)]
        else:
            try:
                number = float(text)
            except ValueError:
                raise InputError(file, field, f"not a FLOP amount: {value!r} (write e.g. 6.3e24 "
                                 "or '6.3 YFLOP')") from None
    else:
        raise InputError(file, field, f"expected a FLOP amount, got {value!r}")
    if not math.isfinite(number) or number < 0:
        raise InputError(file, field, f"must be a finite, non-negative amount, got {value!r}")
    return number
