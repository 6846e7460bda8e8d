"""The Model Documentation Form in the Code's layout: a table per section with AIO / NCA / DP
marks, the size range next to the parameter count, version and date, confidentiality
marking, approval block, and the unverified caveats in one review note."""

from __future__ import annotations

import pytest

from gpact.documents import build
from gpact.documents.builders.technical import _size_range
from gpact.documents.context import Context
from gpact.documents.render import render


def test_form_table_with_audience_marks(frontier: Context) -> None:
    md = render(build(frontier, "mdf"), "md").decode()
    assert "| Field | Answer | AIO | NCA | DP |" in md
    assert "| Model authenticity: provenance evidence" in md
    row = next(line for line in md.splitlines() if line.startswith("| Model authenticity"))
    assert row.endswith("| ✓ | ✓ | — |")  # not for downstream providers
    row = next(line for line in md.splitlines() if line.startswith("| Design specifications"))
    assert row.endswith("| ✓ | ✓ | ✓* |")  # DP mark unconfirmed
    assert "Source:" not in md and "field or audience unverified" not in md


def test_caveats_in_one_review_note(frontier: Context) -> None:
    doc = build(frontier, "mdf")
    md = render(doc, "md").decode()
    assert md.count("## Review note") == 1
    note = " ".join(doc.review_note)
    assert "Design specifications" in note and "(DP)" in note
    assert "Input modalities and maximum input size" in note  # wording unverified
    assert "parameter size ranges are gpact's placeholder" in note


def test_size_range_next_to_count(frontier: Context) -> None:
    doc = build(frontier, "mdf")
    size = next(e for e in doc.entries if e.spec.id == "total_model_size")
    assert "parameters (range: " in render(doc, "md").decode()
    assert size.status == "ok"


@pytest.mark.parametrize(("count", "label"), [
    (7.2e9, "1 to 10 billion parameters"), (1e10, "10 to 100 billion parameters"),
    (6.1e11, "100 billion to 1 trillion parameters"), (5e8, "less than 1 billion parameters"),
    (2e12, "more than 1 trillion parameters"),
])
def test_size_range_bins(frontier: Context, count: float, label: str) -> None:
    assert _size_range(frontier, count) == label


@pytest.mark.parametrize(("audience", "words"), [
    (None, "complete Model Documentation Form"), ("aio", "provided to the AI Office"),
    ("nca", "national competent authorities"), ("dp", "downstream providers"),
])
def test_confidentiality_marking_per_audience(frontier: Context, audience: str | None,
                                              words: str) -> None:
    doc = build(frontier, "mdf", audience)  # type: ignore[arg-type]
    assert doc.marking and doc.marking.startswith("CONFIDENTIAL") and words in doc.marking
    html = render(doc, "html").decode()
    assert 'class="marking"' in html and '@top-center { content: "CONFIDENTIAL"' in html


def test_header_and_approval_block(frontier: Context) -> None:
    doc = build(frontier, "mdf")
    assert [c.label for c in doc.control] == ["Version", "Last updated"]
    assert [a.label for a in doc.approval] == ["Approved by", "Date of approval"]
    html = render(doc, "html").decode()
    assert 'id="approval"' in html and "Signature" in html
    assert any("Approval block not filled in" in n for n in doc.notes)
    assert '<table class="form">' in html and "<abbr title=\"AI Office\">AIO</abbr>" in html
