"""Keep the obligation tracks in step with a model's latest assessment.

Called in the transaction of every assessment. A new applying obligation gets an ``open``
track; one whose due date, source or scope the assessment changed is reopened with the reason
when it was met, not applicable or waiting for sign-off (the proof was for what the law
asked before); one that no longer applies is set aside with the reason. Each reopening is an
audit event. A rulebook change reaches the tracks the same way: reassess the model
(``reassess_outdated`` does so for every model assessed with an older rulebook).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from gpact.store import audit
from gpact.store.models import Assessment, Model, ObligationTrack, utcnow

REOPEN_STATES = ("met", "not_applicable")


def fingerprint(ob: dict[str, Any]) -> str:
    """What a change of would alter the obligation: its due date, legal source and scope."""
    return audit.digest({"due": ob.get("due"), "source": ob.get("source"),
                         "scope": ob.get("scope"), "status": ob.get("status")})


def track_state(track: ObligationTrack) -> dict[str, Any]:
    """The audited state of a track (its hash goes into the audit event)."""
    return {"obligation": track.obligation, "state": track.state, "owner": track.owner,
            "notes": track.notes, "justification": track.justification,
            "due": track.due.isoformat() if track.due else None, "applies": track.applies,
            "sign_off_requested_by": track.sign_off_requested_by,
            "signed_off_by": track.signed_off_by, "version": track.version}


def _reason(track: ObligationTrack, ob: dict[str, Any], old_rulebook: str | None,
            new: Assessment) -> str:
    changes = []
    old_due = track.due.isoformat() if track.due else None
    if ob.get("due") != old_due:
        changes.append(f"due date {old_due or 'none'} → {ob.get('due') or 'none'}")
    if ob.get("source") != track.source:
        changes.append(f"source {track.source} → {ob.get('source')}")
    if not changes:
        changes.append("its scope or status changed")
    rulebook = ""
    if old_rulebook is not None and old_rulebook != new.rulebook_version:
        rulebook = f" (rulebook {old_rulebook} → {new.rulebook_version})"
    return (f"The assessment as of {new.as_of.isoformat()}{rulebook} changed this obligation: "
            f"{'; '.join(changes)}.")


def sync(session: Session, actor_label: str, model: Model, new: Assessment,
         old_rulebook: str | None) -> list[ObligationTrack]:
    """Update the model's tracks from ``new`` (``old_rulebook``: the rulebook version of the
    assessment it replaces, for the reason given); returns the tracks that were reopened."""
    tracks = {t.obligation: t for t in session.scalars(
        select(ObligationTrack).where(ObligationTrack.model_id == model.id))}
    applying = {o["id"]: o for o in new.result["obligations"] if o["status"] == "applies"}
    # every track moves to the new assessment: one statement for them all instead of an
    # UPDATE per track from the session's flush; only tracks the assessment changed are
    # then updated one by one
    session.connection().execute(_MOVE, {"model": model.id, "new": new.id})
    for kept in tracks.values():
        set_committed_value(kept, "assessment_id", new.id)
    reopened = []
    now = utcnow()
    for ob_id, ob in applying.items():
        track = tracks.get(ob_id)
        due = dt.date.fromisoformat(ob["due"]) if ob.get("due") else None
        if track is None:
            session.add(ObligationTrack(
                model_id=model.id, obligation=ob_id, title=str(ob.get("title") or ob_id)[:400],
                source=str(ob.get("source") or "")[:200], applies=True, due=due,
                fingerprint=fingerprint(ob), assessment_id=new.id, state="open",
                owner="", notes="", justification="", reopened_reason="", version=1,
                changed_by=actor_label, changed_at=now))
            continue
        changed = track.fingerprint != fingerprint(ob) or not track.applies
        if changed and (track.state in REOPEN_STATES or track.sign_off_requested_by):
            before = track_state(track)
            track.reopened_reason = _reason(track, ob, old_rulebook, new)
            track.state = "open"
            track.sign_off_requested_by = track.sign_off_requested_at = None
            track.signed_off_by = track.signed_off_at = None
            track.version += 1
            track.changed_by, track.changed_at = actor_label, now
            reopened.append(track)
            _set_from(track, ob, due, new)
            audit.append(session, actor=actor_label, action="obligation.reopen",
                         entity="obligation", entity_id=track.id, org_id=model.org_id,
                         before=before, after=track_state(track),
                         detail={"model": model.id, "obligation": ob_id, "state": "open",
                                 "reason": track.reopened_reason})
        elif _differs(track, ob, due):
            _set_from(track, ob, due, new)
    for ob_id, track in tracks.items():
        if ob_id not in applying and track.applies:
            track.applies = False
            track.assessment_id = new.id
            track.reopened_reason = (f"The assessment as of {new.as_of.isoformat()} says this "
                                     "obligation no longer applies.")
    session.flush()
    return reopened


_MOVE = update(ObligationTrack).where(ObligationTrack.model_id == bindparam("model")).values(
    assessment_id=bindparam("new"))


def _from_assessment(track: ObligationTrack, ob: dict[str, Any],
                     due: dt.date | None) -> dict[str, Any]:
    """What a track takes from the assessment's obligation (besides the assessment id)."""
    return {"due": due, "applies": True, "source": str(ob.get("source") or "")[:200],
            "title": str(ob.get("title") or track.obligation)[:400],
            "fingerprint": fingerprint(ob)}


def _differs(track: ObligationTrack, ob: dict[str, Any], due: dt.date | None) -> bool:
    """Whether the assessment changed anything of the track but its assessment id."""
    return any(getattr(track, k) != v for k, v in _from_assessment(track, ob, due).items())


def _set_from(track: ObligationTrack, ob: dict[str, Any], due: dt.date | None,
              new: Assessment) -> None:
    for name, value in _from_assessment(track, ob, due).items():
        setattr(track, name, value)
    track.assessment_id = new.id
