"""Human labels for what the server stores as identifiers (obligations, statuses, actions).

People read "Technical documentation (Annex XI) … — Art. 53(1)(a), Annex XI", not
``technical_documentation``. Obligation titles come from the rulebook's catalogue (every
version of it, newest title winning), so an obligation of an old assessment keeps a name.
"""

from __future__ import annotations

from functools import lru_cache

from gpact.rulebook import default_rulebook

CATALOGUE_KEY = "ai_act.obligations"

OBLIGATION_STATUS = {"applies": "Applies", "not_applicable": "Does not apply",
                     "waived": "Waived (exemption applies)"}
TRACK_STATE = {"open": "Open", "in_progress": "In progress", "met": "Met",
               "not_applicable": "Not applicable"}
DOCUMENT_KIND = {
    "assessment_report": "Assessment report", "mdf": "Model Documentation Form (CoP)",
    "annex-xi": "Technical documentation (Annex XI)",
    "annex-xii": "Information for downstream providers (Annex XII)",
    "training-summary": "Public summary of training content (Art. 53(1)(d))",
    "copyright-policy": "Copyright policy (Art. 53(1)(c))",
    "notification": "Notification to the Commission (Art. 52(1))",
    "downstream-package": "Downstream provider package",
    "cop-checklist": "Code of Practice checklist",
    "framework": "Safety and Security Framework (CoP Commitment 1)",
    "model-report": "Safety and Security Model Report (CoP Commitment 7)",
    "incident-initial-report": "Serious incident: initial report (Art. 55(1)(c))",
    "incident-intermediate-report": "Serious incident: intermediate report (Art. 55(1)(c))",
    "incident-final-report": "Serious incident: final report (Art. 55(1)(c))"}
FORMAT = {"md": "Markdown", "html": "HTML", "json": "JSON", "pdf": "PDF"}
ROLE = {"viewer": "Viewer (reads)", "editor": "Editor (changes models)",
        "reviewer": "Reviewer (editor who signs off)", "admin": "Administrator"}
ACTION = {
    "model.create": "Model added", "model.update_profile": "Profile saved",
    "model.update_record": "Documentation record saved", "model.delete": "Model deleted",
    "assessment.run": "Assessment run", "document.build": "Document built",
    "ledger.upload": "Compute ledger uploaded", "token.create": "API token created",
    "token.revoke": "API token revoked", "member.set_role": "Member role set",
    "organisation.create": "Organisation created", "organisation.import": "Organisation imported",
    "session.login": "Logged in", "user.create": "User created",
    "obligation.change": "Obligation changed", "obligation.request_met":
    "Asked for sign-off (met)", "obligation.sign_off": "Signed off as met",
    "obligation.reopen": "Obligation reopened", "evidence.add": "Evidence added",
    "evidence_pack.export": "Evidence pack exported",
}


@lru_cache(maxsize=1)
def _catalogue() -> dict[str, tuple[str, str]]:
    """Obligation id → (title, source) over every version of the catalogue."""
    out: dict[str, tuple[str, str]] = {}
    for entry in default_rulebook().parameter(CATALOGUE_KEY).history:
        for item in entry.value:
            out[str(item["id"])] = (str(item.get("title") or item["id"]),
                                    str(item.get("source") or ""))
    return out


def obligation_title(obligation_id: str) -> str:
    found = _catalogue().get(obligation_id)
    return found[0] if found else obligation_id.replace("_", " ").capitalize()


def obligation_label(obligation_id: str, source: str | None = None) -> str:
    """Title and article: "Public summary of training content … (Art. 53(1)(d))"."""
    title = obligation_title(obligation_id)
    src = source or (_catalogue().get(obligation_id, ("", ""))[1])
    return f"{title} ({src})" if src else title


def status_label(status: str) -> str:
    return OBLIGATION_STATUS.get(status, status.replace("_", " ").capitalize())


def state_label(state: str) -> str:
    return TRACK_STATE.get(state, state.replace("_", " ").capitalize())


def action_label(action: str) -> str:
    return ACTION.get(action, action.replace(".", ": ").replace("_", " ").capitalize())


def role_label(role: str) -> str:
    return ROLE.get(role, role)


def due_in(days_left: int) -> str:
    """How far a due date is, in words a reader takes in at a glance: "in 14 days",
    "today", "3 days ago" (not "days left: passed 3 days ago"). Not "overdue": a date
    alone does not say whether the obligation was met in time."""
    if days_left == 0:
        return "today"
    unit = "day" if abs(days_left) == 1 else "days"
    return f"in {days_left} {unit}" if days_left > 0 else f"{-days_left} {unit} ago"
