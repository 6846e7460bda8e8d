"""What a builder sees: the sources, the rules in force, and the legal facts that gate sections.

Legal facts (systemic risk, open-source exemption) come from the assessment: the one the record
references, else the one the caller computed (the CLI runs ``gpact.services.assess``). Without
either they are ``None`` ("cannot decide") and the gated sections are kept, with a note.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from gpact.documents.record import DocumentationRecord
from gpact.documents.sources import Sources
from gpact.profile.schema import Profile
from gpact.rulebook.loader import Rulebook, RulesInForce, default_rulebook


@dataclass
class Context:
    sources: Sources
    as_of: dt.date
    rulebook: Rulebook = field(default_factory=default_rulebook)
    computed_assessment: dict[str, Any] | None = None
    memo: dict[str, Any] = field(default_factory=dict, repr=False)  # per-build derived values

    @cached_property
    def rules(self) -> RulesInForce:
        return self.rulebook.at(self.as_of)

    @property
    def profile(self) -> Profile:
        return self.sources.loaded.profile

    @property
    def record(self) -> DocumentationRecord:
        return self.sources.record

    @property
    def assessment(self) -> dict[str, Any] | None:
        """The referenced assessment, else the one computed for this build."""
        if self.sources.assessment is not None:
            return self.sources.assessment
        return self.computed_assessment

    def assessment_note(self) -> str:
        if self.sources.assessment is not None:
            ref = self.record.references.assessment
            return (f"Legal findings from the referenced assessment {ref} "
                    f"(as of {self.sources.assessment.get('as_of', 'unknown date')}).")
        if self.computed_assessment is not None:
            return f"Legal findings from gpact assess, as of {self.as_of.isoformat()}."
        return "No assessment available: legal findings that gate sections are unknown."

    def finding(self, key: str) -> Any:
        found = (self.assessment or {}).get(key)
        return found.get("value") if isinstance(found, dict) else None

    @cached_property
    def systemic_risk(self) -> bool | None:
        value = self.finding("systemic_risk")
        return value if isinstance(value, bool) else None

    @cached_property
    def open_source_exempt(self) -> bool | None:
        if self.assessment is None:
            return None
        return any(e.get("id") == "open_source" for e in self.assessment.get("exemptions", []))

    def obligation(self, obligation_id: str) -> dict[str, Any] | None:
        for item in (self.assessment or {}).get("obligations", []):
            if item.get("id") == obligation_id:
                return dict(item)
        return None

    @cached_property
    def conditions(self) -> dict[str, bool | None]:
        """Answers to the `when` gates of the field trees (None: cannot decide, keep it)."""
        rec, prof = self.record, self.profile
        data = rec.data
        placed = prof.model.release.placed_on_market_on if prof.model.release else None
        cutoff = self.rules.value("ai_act.art111.legacy_placement_cutoff")
        exempt = self.open_source_exempt
        return {
            "systemic_risk": self.systemic_risk,
            "transparency_chapter": None if exempt is None or self.systemic_risk is None
            else not (exempt and not self.systemic_risk),
            "non_eu_provider": None if prof.provider.established_in_eu is None
            else not prof.provider.established_in_eu,
            "legacy_model": None if placed is None else placed < cutoff,
            "public_datasets": data.public_datasets.used,
            "licensed": data.licensed.used,
            "private_other": data.private_other.used,
            "crawling": data.crawling.used,
            "user_data": _either(data.user_data.from_model, data.user_data.from_other_services),
            "synthetic": data.synthetic.used,
            "other_sources": data.other.used,
        }


def _either(a: bool | None, b: bool | None) -> bool | None:
    if a or b:
        return True
    if a is None or b is None:
        return None
    return False
