"""The model register: models, their profile versions and assessments, and the deadlines.

Every change bumps ``Model.version`` with a compare-and-set update, so of two people editing
the same model the second gets a conflict (HTTP 409) instead of silently overwriting the first.
Every change appends an audit event in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from gpact.errors import InputError
from gpact.profile import LoadedProfile, ProfileError, parse_profile
from gpact.services import input_limits
from gpact.services.accounts import Actor
from gpact.services.assess import assess_profile
from gpact.services.server_errors import Conflict, Forbidden, Invalid, NotFound
from gpact.store import audit
from gpact.store.models import Assessment, Model, ObligationDue, ProfileVersion, utcnow

MAX_PROFILE_BYTES = input_limits.PROFILE.max_bytes


def require(actor: Actor, need: str) -> None:
    if not actor.can(need):
        raise Forbidden(f"your role ({actor.role}) or token scope does not allow {need}")


def parse(text: str) -> LoadedProfile:
    """Validate profile text; field problems become an ``Invalid`` with one line per field."""
    input_limits.check(text, "profile", input_limits.PROFILE)  # bounded work (size, depth)
    try:
        return parse_profile(text, "profile")
    except ProfileError as exc:
        raise Invalid(exc.problems) from None
    except InputError as exc:
        raise Invalid([exc.message()]) from None
    except ValueError as exc:  # PyYAML: an impossible date such as 2025-02-30
        raise Invalid([f"profile: {exc}"]) from None


def get_model(session: Session, actor: Actor, model_id: int) -> Model:
    model = session.get(Model, model_id)
    if model is None or model.org_id != actor.org_id:
        raise NotFound(f"no model {model_id}")
    return model


def latest_profile(session: Session, model: Model) -> ProfileVersion:
    return session.scalars(select(ProfileVersion).where(ProfileVersion.model_id == model.id)
                           .order_by(ProfileVersion.number.desc()).limit(1)).one()


def _state(model: Model, profile: ProfileVersion) -> dict[str, Any]:
    return {"id": model.id, "name": model.name, "version": model.version,
            "profile": profile.number, "profile_sha256": profile.sha256}


def _profile_hash(profile: ProfileVersion) -> dict[str, Any]:
    """What ``gpact audit verify`` checks the stored profile text against."""
    return {"profile": profile.number, "profile_sha256": profile.sha256}


def _add_profile(session: Session, actor: Actor, model: Model, number: int,
                 text: str) -> ProfileVersion:
    profile = ProfileVersion(model_id=model.id, number=number, text=text,
                             sha256=hashlib.sha256(text.encode()).hexdigest(),
                             created_by=actor.label)
    session.add(profile)
    session.flush()
    return profile


def register_name(loaded: LoadedProfile) -> str:
    """A model's name in the register: its name and version, as the profile gives them.

    Two versions of one model (say Northwind-Ultra 2.0 and 3.0-preview) are two entries;
    saving a profile with a new version renames the entry it is saved to.
    """
    model = loaded.profile.model
    return f"{model.name} {model.version}" if model.version else model.name


def _check_name(session: Session, actor: Actor, name: str, model_id: int | None) -> None:
    clash = session.scalar(select(Model.id).where(Model.org_id == actor.org_id,
                                                  Model.name == name))
    if clash is not None and clash != model_id:
        raise Conflict(f"a model named {name!r} exists already (id {clash})")


def create_model(session: Session, actor: Actor, text: str,
                 as_of: dt.date | None = None) -> Model:
    """Register a model from its profile and assess it."""
    require(actor, "write")
    loaded = parse(text)
    name = register_name(loaded)
    _check_name(session, actor, name, None)
    model = Model(org_id=actor.org_id, name=name, version=1)
    session.add(model)
    session.flush()
    profile = _add_profile(session, actor, model, 1, text)
    audit.append(session, actor=actor.label, action="model.create", entity="model",
                 entity_id=model.id, org_id=actor.org_id, after=_state(model, profile),
                 detail=_profile_hash(profile))
    run_assessment(session, actor, model, as_of, loaded=loaded, profile=profile)
    return model


def bump_version(session: Session, model: Model, expected_version: int) -> None:
    """Compare-and-set on the version: the write fails if anyone changed the model since."""
    done = session.execute(update(Model).where(Model.id == model.id,
                                               Model.version == expected_version)
                           .values(version=expected_version + 1, updated_at=utcnow())
                           .execution_options(synchronize_session=False))
    if done.rowcount != 1:  # type: ignore[attr-defined]
        session.refresh(model)
        raise Conflict(f"model {model.id} is at version {model.version}, you edited version "
                       f"{expected_version}: reload and apply your change again")
    session.refresh(model)


def update_profile(session: Session, actor: Actor, model_id: int, text: str,
                   expected_version: int, as_of: dt.date | None = None) -> Model:
    """Save a new profile version (never overwriting the old one) and reassess."""
    require(actor, "write")
    model = get_model(session, actor, model_id)
    loaded = parse(text)
    old = latest_profile(session, model)
    before = _state(model, old)
    _check_name(session, actor, register_name(loaded), model.id)
    bump_version(session, model, expected_version)
    model.name = register_name(loaded)
    profile = _add_profile(session, actor, model, old.number + 1, text)
    audit.append(session, actor=actor.label, action="model.update_profile", entity="model",
                 entity_id=model.id, org_id=actor.org_id, before=before,
                 after=_state(model, profile), detail=_profile_hash(profile))
    run_assessment(session, actor, model, as_of, loaded=loaded, profile=profile)
    return model


def delete_model(session: Session, actor: Actor, model_id: int, expected_version: int) -> None:
    require(actor, "admin")
    model = get_model(session, actor, model_id)
    before = _state(model, latest_profile(session, model))
    bump_version(session, model, expected_version)
    session.delete(model)
    audit.append(session, actor=actor.label, action="model.delete", entity="model",
                 entity_id=model_id, org_id=actor.org_id, before=before)


def summarise(result: dict[str, Any]) -> dict[str, Any]:
    """The few fields the portfolio shows, kept beside the full result for fast listing."""
    applying = [o for o in result["obligations"] if o["status"] == "applies"]
    dated = sorted((o for o in applying if o.get("due")), key=lambda o: o["due"])
    return {
        "gpai": result["gpai"]["value"], "systemic_risk": result["systemic_risk"]["value"],
        "role": result["role"]["value"], "obligations_applying": len(applying),
        "next_due": dated[0]["due"] if dated else None,
        "next_obligation": dated[0]["id"] if dated else None,
        "missing": len(result.get("missing", [])),
    }


def run_assessment(session: Session, actor: Actor, model: Model, as_of: dt.date | None = None,
                   *, loaded: LoadedProfile | None = None,
                   profile: ProfileVersion | None = None) -> Assessment:
    """Assess the model's current profile and keep the result with the rulebook version."""
    require(actor, "write")
    profile = profile or latest_profile(session, model)
    loaded = loaded or parse(profile.text)
    day = as_of or dt.date.today()
    try:
        result = assess_profile(loaded, day).to_dict()
    except InputError as exc:  # a date before the Act, facts that contradict each other
        raise Invalid([exc.message()]) from None
    result["profile"] = f"profile version {profile.number} (sha256 {profile.sha256[:12]})"
    row = Assessment(model_id=model.id, profile_version_id=profile.id, as_of=day,
                     rulebook_version=result["rulebook_version"],
                     gpact_version=result["gpact_version"], result=result,
                     summary=summarise(result), created_by=actor.label)
    session.add(row)
    session.flush()
    for o in result["obligations"]:
        session.add(ObligationDue(
            assessment_id=row.id, obligation=o["id"], source=o["source"], status=o["status"],
            applies_from=_date(o.get("applies_from")), due=_date(o.get("due"))))
    model.latest_assessment_id = row.id
    audit.append(session, actor=actor.label, action="assessment.run", entity="model",
                 entity_id=model.id, org_id=actor.org_id, after=result,
                 detail={"assessment": row.id, "as_of": day.isoformat(),
                         "rulebook_version": row.rulebook_version})
    return row


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def model_summary(session: Session, actor: Actor, model_id: int
                  ) -> tuple[Model, dict[str, Any] | None, dt.date | None]:
    """A model with the summary of its latest assessment, in one query (the full result,
    a large JSON document, is not loaded)."""
    row = session.execute(
        select(Model, Assessment.summary, Assessment.as_of)
        .outerjoin(Assessment, Assessment.id == Model.latest_assessment_id)
        .where(Model.id == model_id, Model.org_id == actor.org_id)).first()
    if row is None:
        raise NotFound(f"no model {model_id}")
    return row[0], row[1], row[2]


def latest_assessment_with_profile(session: Session, actor: Actor,
                                   model_id: int) -> tuple[Assessment, int]:
    """A model's latest assessment and the number of the profile version it assessed."""
    row = session.execute(
        select(Model.id, Assessment, ProfileVersion.number)
        .outerjoin(Assessment, Assessment.id == Model.latest_assessment_id)
        .outerjoin(ProfileVersion, ProfileVersion.id == Assessment.profile_version_id)
        .where(Model.id == model_id, Model.org_id == actor.org_id)).first()
    if row is None:
        raise NotFound(f"no model {model_id}")
    if row[1] is None:
        raise NotFound(f"model {model_id} has not been assessed")
    return row[1], row[2]


def latest_assessment(session: Session, model: Model) -> Assessment | None:
    if model.latest_assessment_id is None:
        return None
    return session.get(Assessment, model.latest_assessment_id)


@dataclass(frozen=True)
class Page:
    items: list[Any]
    total: int
    limit: int
    offset: int


def list_models(session: Session, actor: Actor, limit: int = 50, offset: int = 0) -> Page:
    """One page of the portfolio: each model with the summary of its latest assessment."""
    require(actor, "read")
    total = session.scalar(select(func.count()).select_from(Model)
                           .where(Model.org_id == actor.org_id)) or 0
    rows = session.execute(
        select(Model, Assessment.summary, Assessment.as_of)
        .outerjoin(Assessment, Assessment.id == Model.latest_assessment_id)
        .where(Model.org_id == actor.org_id).order_by(Model.name, Model.id)
        .limit(limit).offset(offset)).all()
    return Page([(m, summary, as_of) for m, summary, as_of in rows], total, limit, offset)


@dataclass(frozen=True)
class Deadline:
    model_id: int
    model: str
    obligation: str
    source: str
    applies_from: dt.date | None
    due: dt.date
    assessed_as_of: dt.date

    def as_dict(self, today: dt.date) -> dict[str, Any]:
        return {"model_id": self.model_id, "model": self.model, "obligation": self.obligation,
                "source": self.source,
                "applies_from": self.applies_from.isoformat() if self.applies_from else None,
                "due": self.due.isoformat(), "days_left": (self.due - today).days,
                "overdue": self.due < today, "assessed_as_of": self.assessed_as_of.isoformat()}


def deadlines(session: Session, actor: Actor, model_id: int | None = None,
              limit: int | None = None, offset: int = 0, after: dt.date | None = None,
              before: dt.date | None = None) -> list[Deadline]:
    """Dated obligations that apply, from each model's latest assessment, soonest first.

    ``after``/``before`` keep deadlines on or after / strictly before a day.
    """
    require(actor, "read")
    query = (select(Model.id, Model.name, ObligationDue.obligation, ObligationDue.source,
                    ObligationDue.applies_from, ObligationDue.due, Assessment.as_of)
             .join(Assessment, Assessment.id == Model.latest_assessment_id)
             .join(ObligationDue, ObligationDue.assessment_id == Assessment.id)
             .where(Model.org_id == actor.org_id, ObligationDue.status == "applies",
                    ObligationDue.due.is_not(None))
             .order_by(ObligationDue.due, Model.name, ObligationDue.obligation))
    if model_id is not None:
        query = query.where(Model.id == model_id)
    if after is not None:
        query = query.where(ObligationDue.due >= after)
    if before is not None:
        query = query.where(ObligationDue.due < before)
    if limit is not None:
        query = query.limit(limit).offset(offset)
    return [Deadline(m_id, name, ob, src, start, due, as_of)
            for m_id, name, ob, src, start, due, as_of in session.execute(query).all()
            if due is not None]


def profile_versions(session: Session, actor: Actor, model_id: int) -> list[ProfileVersion]:
    require(actor, "read")
    model = get_model(session, actor, model_id)
    return list(session.scalars(select(ProfileVersion).where(ProfileVersion.model_id == model.id)
                                .order_by(ProfileVersion.number)))


def assessments(session: Session, actor: Actor, model_id: int) -> list[Assessment]:
    require(actor, "read")
    model = get_model(session, actor, model_id)
    return list(session.scalars(select(Assessment).where(Assessment.model_id == model.id)
                                .order_by(Assessment.id.desc())))


def obligations(session: Session, actor: Actor, limit: int = 100,
                offset: int = 0) -> list[dict[str, Any]]:
    """Every obligation in each model's latest assessment, by model."""
    require(actor, "read")
    rows = session.execute(
        select(Model.id, Model.name, ObligationDue.obligation, ObligationDue.source,
               ObligationDue.status, ObligationDue.applies_from, ObligationDue.due)
        .join(ObligationDue, ObligationDue.assessment_id == Model.latest_assessment_id)
        .where(Model.org_id == actor.org_id)
        .order_by(Model.name, ObligationDue.id).limit(limit).offset(offset)).all()
    keys = ("model_id", "model", "obligation", "source", "status", "applies_from", "due")
    return [dict(zip(keys, row, strict=True)) for row in rows]
