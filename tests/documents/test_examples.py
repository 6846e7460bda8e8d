"""Every bundled example profile has a record, and every document kind builds from it."""

from __future__ import annotations

from pathlib import Path

import pytest

from gpact.documents import KINDS, build, make_context
from gpact.documents.sources import find_record, load_sources
from gpact.services.assess import assess_profile

from .conftest import AS_OF

EXAMPLES = sorted((Path(__file__).parents[2] / "examples").glob("*.yaml"))


@pytest.mark.parametrize("profile", EXAMPLES, ids=lambda p: p.stem)
def test_example_builds_every_kind(profile: Path) -> None:
    assert find_record(profile) is not None, f"no examples/records/{profile.stem}.record.yaml"
    sources = load_sources(profile)
    ctx = make_context(sources, AS_OF,
                       assessment=assess_profile(sources.loaded, AS_OF).to_dict())
    for kind in KINDS:
        doc = build(ctx, kind)
        assert doc.entries and doc.meta["notice"]


def test_examples_exist() -> None:
    assert len(EXAMPLES) >= 10


def test_modifier_documents_say_they_cover_only_the_modification() -> None:
    profile = next(p for p in EXAMPLES if p.stem == "finetune_above_third")
    sources = load_sources(profile)
    ctx = make_context(sources, AS_OF,
                       assessment=assess_profile(sources.loaded, AS_OF).to_dict())
    assert any(n.startswith("Scope: Limited to the modification")
               for n in build(ctx, "training-summary").notes)
