"""Completeness judgements: placeholders, units, significant figures."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gpact.documents.document import Num, format_number, significant_figures
from gpact.documents.fields import FieldSpec
from gpact.documents.quality import judge


def spec(check: str = "text", required: bool = True, unit: str | None = None,
         min_words: int = 0) -> FieldSpec:
    return FieldSpec(id="f", number="1", label="F", check=check,  # type: ignore[arg-type]
                     source="test", confidence="verified", required=required, unit=unit,
                     min_words=min_words)


@pytest.mark.parametrize(("raw", "figures"), [
    ("7.3e10", 2), ("7.0e10", 2), ("7e10", 1), (7.3e10, 2), (7.0e10, 1), (70_000_000_000, 1),
    ("70000000000", 1), ("2.40e4", 3), ("0.0012", 2), (1.25, 3), ("1_500", 2), ("-3.1e5", 2),
])
def test_significant_figures(raw: float | str, figures: int) -> None:
    assert significant_figures(raw) == figures


@given(st.integers(min_value=1, max_value=6), st.floats(min_value=1.0, max_value=9.49),
       st.integers(min_value=-5, max_value=30))
def test_written_figures_survive_scientific_notation(figures: int, mantissa: float,
                                                     exponent: int) -> None:
    written = f"{mantissa:.{figures - 1}f}e{exponent}"
    assert significant_figures(written) == figures
    # formatting keeps the figures as written
    shown = format_number(Num(written))
    if abs(float(written)) >= 1e5 or abs(float(written)) < 1e-3:
        assert shown.split("×")[0] == f"{float(written):.{figures - 1}e}".split("e")[0]


@pytest.mark.parametrize(("check", "value", "status", "problem"), [
    ("text", None, "missing", "no value given"),
    ("text", "   ", "missing", "no value given"),
    ("text", "TODO", "missing", "placeholder"),
    ("text", "tbd", "missing", "placeholder"),
    ("text", "<describe the architecture>", "missing", "placeholder"),
    ("text", "Lorem ipsum dolor", "missing", "placeholder"),
    ("text", "Dense transformer; details TBD later", "missing", "placeholder"),
    ("text", "Write to <email> for details", "missing", "placeholder"),
    ("text", "N/A", "ok", None),
    ("text", "Decoder-only transformer", "ok", None),
    ("sig2", Num("7e10", "parameters"), "weak", "significant figure"),
    ("sig2", Num("7.0e10", "parameters"), "ok", None),
    ("sig2", Num(0.0, "MWh"), "weak", "greater than zero"),
    ("sig2", "about 7 billion", "weak", "expected a number"),
    ("quantity", Num("1.5e13", None), "weak", "no unit"),
    ("quantity", Num("1.5e13", "tokens"), "ok", None),
    ("date", dt.date(2026, 3, 1), "ok", None),
    ("date", "03/2026", "ok", None),
    ("date", "March", "weak", "not a date"),
    ("yes_no", True, "ok", None),
    ("yes_no", False, "ok", None),
    ("yes_no", "maybe", "weak", "Yes or No"),
    ("list", [], "missing", "no value given"),
    ("list", ["xxx"], "missing", "placeholder"),
])
def test_judge(check: str, value: object, status: str, problem: str | None) -> None:
    got_status, problems = judge(spec(check), value)  # type: ignore[arg-type]
    assert got_status == status
    if problem:
        assert any(problem in p for p in problems), problems
    else:
        assert problems == []


def test_placeholder_in_optional_field_is_weak() -> None:
    status, problems = judge(spec(required=False), "TODO")
    assert status == "weak" and "placeholder" in problems[0]


def test_optional_empty_is_not_a_gap() -> None:
    assert judge(spec(required=False), None) == ("optional_empty", [])


def test_min_words() -> None:
    status, problems = judge(spec(min_words=10), "Short text.")
    assert status == "weak" and "2 words" in problems[0]
