"""`--audience public`: the training summary as published, without the review annotations."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from gpact.cli.main import main
from gpact.documents import build
from gpact.documents.context import Context
from gpact.documents.render import render

RULE_ID = re.compile(r"template_training_summary\.|documents\.\w+_|\brule [a-z_]+\.")


def _text(ctx: Context, fmt: str, presentation: str) -> str:
    doc = build(ctx, "training-summary", presentation=presentation)  # type: ignore[arg-type]
    return render(doc, fmt).decode()  # type: ignore[arg-type]


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_public_rendering_drops_review_annotations(frontier: Context, fmt: str) -> None:
    text = _text(frontier, fmt, "public")
    assert "Source:" not in text
    assert "UNVERIFIED" not in text and "Unverified rules used" not in text
    assert not RULE_ID.search(text), RULE_ID.search(text)
    assert "Legal findings from" not in text  # review notes about the assessment
    # one short methodology note where a listing rule was applied
    assert "ranked by the size of the content collected" in text
    assert "of all publicly available data used for its modality" in text
    assert "1.1(a)" in text and "2.3(h)" in text  # the template numbering stays


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_review_rendering_keeps_annotations(frontier: Context, fmt: str) -> None:
    text = _text(frontier, fmt, "review")
    assert "Source: Template 1.1(a)" in text
    assert "UNVERIFIED, check before publishing" in text
    assert "template_training_summary.large_dataset_share" in text
    assert "Unverified rules used" in text


def test_public_json_keeps_the_method(frontier: Context) -> None:
    doc = build(frontier, "training-summary", presentation="public")
    data = doc.to_dict()
    assert data["presentation"] == "public"
    methods = {f["id"]: f["method"] for s in data["sections"] for f in s["fields"]}
    assert methods["crawl_domains"] and methods["public_large_datasets"]


def test_cli_public_audience(capsys: pytest.CaptureFixture[str], data_dir: Path) -> None:
    profile = str(data_dir / "frontier.yaml")
    assert main(["docs", "build", profile, "--kind", "training-summary",
                 "--audience", "public"]) == 0
    out, err = capsys.readouterr()
    assert "Source:" not in out and "training-summary-public" in err
    assert main(["docs", "build", profile, "--kind", "mdf", "--audience", "public",
                 "--no-store"]) == 2
    err = capsys.readouterr().err
    assert "'public' is for the published documents" in err and len(err.strip().splitlines()) == 1
