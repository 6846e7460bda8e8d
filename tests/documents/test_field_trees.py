"""Every field of the official forms appears in its builder, in the form's order."""

from __future__ import annotations

import pytest

from gpact.documents.builders import BUILDERS
from gpact.documents.fields import load_tree
from gpact.rulebook.loader import default_rulebook

from .conftest import AS_OF

RULES = default_rulebook().at(AS_OF)


@pytest.mark.parametrize("kind", sorted(BUILDERS))
def test_builder_fields_match_rulebook_tree(kind: str) -> None:
    builder = BUILDERS[kind]
    tree_ids = [fid for key in (builder.tree_key, *builder.extra_tree_keys)
                for fid in load_tree(RULES, key).field_ids()]
    assert builder.field_ids() == tree_ids


@pytest.mark.parametrize(("key", "count"), [
    ("documents.model_documentation_form", 36),
    ("documents.annex_xi", 28),
    ("documents.annex_xii", 16),
    ("template_training_summary.fields", 52),
])
def test_trees_have_every_field(key: str, count: int) -> None:
    tree = load_tree(RULES, key)
    ids = tree.field_ids()
    assert len(ids) == count
    assert len(set(ids)) == len(ids), "field ids are unique within a tree"


def test_training_summary_tree_keeps_template_numbering() -> None:
    numbers = [f.number for s in load_tree(RULES, "template_training_summary.fields").sections
               for f in s.fields if f.number]
    for expected in ("1.1(a)", "1.1(b)", "1.2(c)", "1.3(d)", "1.3(g)", "2.1(c)", "2.2.1(a)",
                     "2.2.2(e)", "2.3(h)", "2.4(b)", "2.5(d)", "2.6(c)", "3.1(b)", "3.2(a)",
                     "3.3(a)"):
        assert expected in numbers


@pytest.mark.parametrize(("field", "audiences", "unverified"), [
    ("provider_legal_name", ("aio", "nca", "dp"), ()),
    ("model_authenticity", ("aio", "nca"), ()),
    ("design_specifications", ("aio", "nca", "dp"), ("dp",)),
    ("total_model_size", ("aio", "nca", "dp"), ("dp",)),
    ("data_points", ("aio", "nca"), ()),
    ("training_energy", ("aio", "nca"), ()),
    ("data_curation", ("aio", "nca", "dp"), ()),
])
def test_mdf_audience_flags(field: str, audiences: tuple[str, ...],
                            unverified: tuple[str, ...]) -> None:
    tree = load_tree(RULES, "documents.model_documentation_form")
    spec = next(f for s in tree.sections for f in s.fields if f.id == field)
    assert spec.audiences == audiences
    assert spec.unverified_audiences == unverified


def test_unconfirmed_mdf_fields_are_marked_unverified() -> None:
    """regulation.md marks these rows M: the tree must not present them as confirmed."""
    tree = load_tree(RULES, "documents.model_documentation_form")
    by_id = {f.id: f for s in tree.sections for f in s.fields}
    for fid in ("input_modalities", "required_hardware", "training_process", "data_points",
                "training_compute", "energy_methodology", "inference_compute"):
        assert by_id[fid].confidence == "unverified", fid


def test_annex_xi_section_2_is_gated_on_systemic_risk() -> None:
    tree = load_tree(RULES, "documents.annex_xi")
    assert [s.when for s in tree.sections] == [None, None, "systemic_risk"]


@pytest.mark.parametrize(("field", "point", "required"), [
    ("evaluation_strategies", "1", True),
    ("evaluation_results", "1", True),
    ("adversarial_testing", "2", True),  # "where applicable", but Art. 55(1)(a) requires it
    ("model_adaptations", "2", True),
    ("system_architecture", "3", False),  # "where applicable"
])
def test_annex_xi_section_2_checked_against_the_regulation(field: str, point: str,
                                                           required: bool) -> None:
    """Annex XI Section 2 (OJ L, 12.7.2024) points 1-3, checked against the Regulation's text."""
    tree = load_tree(RULES, "documents.annex_xi")
    spec = next(f for f in tree.sections[-1].fields if f.id == field)
    assert (spec.number, spec.required, spec.confidence) == (point, required, "verified")


@pytest.mark.parametrize(("field", "source", "confidence"), [
    ("infringing_sites_excluded", "Measure 1.2, point (b) (p. 5)", "verified"),
    ("crawler_disclosure", "Measure 1.3, point (4) (p. 6)", "verified"),
    ("search_engine_note", "Measure 1.3", "unverified"),  # paraphrases only
])
def test_copyright_policy_fields_checked_against_the_chapter(field: str, source: str,
                                                            confidence: str) -> None:
    tree = load_tree(RULES, "documents.copyright_policy")
    spec = next(f for s in tree.sections for f in s.fields if f.id == field)
    assert spec.source.endswith(source) and spec.confidence == confidence


def test_infringing_sites_field_keeps_the_code_wording() -> None:
    tree = load_tree(RULES, "documents.copyright_policy")
    spec = next(f for s in tree.sections for f in s.fields if f.id == "infringing_sites_excluded")
    assert "persistently and repeatedly infringing" in spec.label
    assert "courts or public authorities" in spec.label
