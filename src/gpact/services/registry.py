"""The model register: models, their profile versions and assessments, and the deadlines.

Every change bumps ``Model.version`` with a compare-and-set update, so of two people editing
the same model the second gets a conflict (HTTP 409) instead of silently overwriting the first.
Every change appends an audit event in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlalchemy import Select, Text, bindparam, cast, func, insert, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from gpact.errors import InputError
from gpact.profile import LoadedProfile, ProfileError, parse_profile
from gpact.services import input_limits, tracking_sync
from gpact.services.accounts import Actor
from gpact.services.assess import assess_profile
from gpact.services.server_errors import Conflict, Forbidden, Invalid, NotFound
from gpact.store import audit, deadline_rows, views
from gpact.store.db import Reader
from gpact.store.models import (
    Assessment,
    CurrentDeadline,
    Model,
    ObligationDue,
    ProfileVersion,
    utcnow,
)
from gpact.store.query import Query
from gpact.tracking import Due, next_due

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


@dataclass(frozen=True)
class Prepared:
    """A profile parsed, validated and assessed before any write transaction opens: that
    work needs no database, so it runs while other writers hold the write lock, and only
    the inserts and the audit events are done under it."""

    text: str
    loaded: LoadedProfile
    day: dt.date
    result: dict[str, Any]

    @property
    def name(self) -> str:
        return register_name(self.loaded)


def prepare(actor: Actor, text: str, as_of: dt.date | None = None) -> Prepared:
    require(actor, "write")
    loaded = parse(text)
    day = as_of or dt.date.today()
    try:
        result = assess_profile(loaded, day).to_dict()
    except InputError as exc:  # a date before the Act, facts that contradict each other
        raise Invalid([exc.message()]) from None
    return Prepared(text, loaded, day, result)


def create_model(session: Session, actor: Actor, text: str | Prepared,
                 as_of: dt.date | None = None) -> Model:
    """Register a model from its profile (text, or ``prepare``'d) and assess it."""
    require(actor, "write")
    ready = text if isinstance(text, Prepared) else prepare(actor, text, as_of)
    _check_name(session, actor, ready.name, None)
    model = Model(org_id=actor.org_id, name=ready.name, version=1)
    session.add(model)
    session.flush()
    profile = _add_profile(session, actor, model, 1, ready.text)
    audit.append(session, actor=actor.label, action="model.create", entity="model",
                 entity_id=model.id, org_id=actor.org_id, after=_state(model, profile),
                 detail=_profile_hash(profile))
    run_assessment(session, actor, model, profile=profile, prepared=ready)
    return model


def bump_version(session: Session, model: Model, expected_version: int) -> None:
    """Compare-and-set on the version: the write fails if anyone changed the model since."""
    now = utcnow()
    done = session.execute(update(Model).where(Model.id == model.id,
                                               Model.version == expected_version)
                           .values(version=expected_version + 1, updated_at=now)
                           .execution_options(synchronize_session=False))
    if done.rowcount != 1:  # type: ignore[attr-defined]
        session.refresh(model)
        raise Conflict(f"model {model.id} is at version {model.version}, you edited version "
                       f"{expected_version}: reload and apply your change again")
    # the model pages show the version; the deadlines and obligations do not
    views.changed(session, model.org_id, dues=False)
    # what the update wrote, without reading the row back
    set_committed_value(model, "version", expected_version + 1)
    set_committed_value(model, "updated_at", now)


_LATEST_PROFILE_REF = (select(ProfileVersion.number, ProfileVersion.sha256)
                       .where(ProfileVersion.model_id == bindparam("model_id"))
                       .order_by(ProfileVersion.number.desc()).limit(1))


def update_profile(session: Session, actor: Actor, model_id: int, text: str | Prepared,
                   expected_version: int, as_of: dt.date | None = None) -> Model:
    """Save a new profile version (never overwriting the old one) and reassess. ``text``
    may come ``prepare``'d, so that the transaction only writes."""
    require(actor, "write")
    ready = text if isinstance(text, Prepared) else prepare(actor, text, as_of)
    model = get_model(session, actor, model_id)
    number, sha = session.execute(_LATEST_PROFILE_REF, {"model_id": model.id}).one()
    before = {"id": model.id, "name": model.name, "version": model.version,
              "profile": number, "profile_sha256": sha}
    if ready.name != model.name:
        _check_name(session, actor, ready.name, model.id)
        views.changed(session, model.org_id)  # the name is in every deadline and obligation
    bump_version(session, model, expected_version)
    model.name = ready.name
    profile = _add_profile(session, actor, model, number + 1, ready.text)
    audit.append(session, actor=actor.label, action="model.update_profile", entity="model",
                 entity_id=model.id, org_id=actor.org_id, before=before,
                 after=_state(model, profile), detail=_profile_hash(profile))
    run_assessment(session, actor, model, profile=profile, prepared=ready)
    return model


def delete_model(session: Session, actor: Actor, model_id: int, expected_version: int) -> None:
    require(actor, "admin")
    model = get_model(session, actor, model_id)
    before = _state(model, latest_profile(session, model))
    bump_version(session, model, expected_version)
    views.changed(session, model.org_id)  # its deadlines and obligations go with it
    session.delete(model)
    audit.append(session, actor=actor.label, action="model.delete", entity="model",
                 entity_id=model_id, org_id=actor.org_id, before=before)


def summarise(result: dict[str, Any]) -> dict[str, Any]:
    """The few fields the portfolio shows, kept beside the full result for fast listing."""
    applying = [o for o in result["obligations"] if o["status"] == "applies"]
    first = next_due((Due(o["id"], _date(o.get("due"))) for o in applying),
                     dt.date.fromisoformat(result["as_of"]))
    return {
        "gpai": result["gpai"]["value"], "systemic_risk": result["systemic_risk"]["value"],
        "role": result["role"]["value"], "obligations_applying": len(applying),
        "next_due": first.due.isoformat() if first and first.due else None,
        "next_obligation": first.key if first else None,
        "missing": len(result.get("missing", [])),
    }


# the assessment being replaced: its rulebook version (for the tracks' reasons) and its
# obligation rows as the obligations list shows them, in its order (one row if it has none)
_PREVIOUS = (select(Assessment.rulebook_version, ObligationDue.obligation, ObligationDue.source,
                    ObligationDue.status, ObligationDue.applies_from, ObligationDue.due)
             .outerjoin(ObligationDue, ObligationDue.assessment_id == Assessment.id)
             .where(Assessment.id == bindparam("assessment_id")).order_by(ObligationDue.id))


def run_assessment(session: Session, actor: Actor, model: Model, as_of: dt.date | None = None,
                   *, profile: ProfileVersion | None = None,
                   prepared: Prepared | None = None) -> Assessment:
    """Assess the model's current profile (or take ``prepared``'s assessment of it) and keep
    the result with the rulebook version."""
    require(actor, "write")
    profile = profile or latest_profile(session, model)
    ready = prepared or prepare(actor, profile.text, as_of)
    result = {**ready.result,
              "profile": f"profile version {profile.number} (sha256 {profile.sha256[:12]})"}
    before = [] if model.latest_assessment_id is None else session.execute(
        _PREVIOUS, {"assessment_id": model.latest_assessment_id}).all()
    previous = before[0][0] if before else None
    row = Assessment(model_id=model.id, profile_version_id=profile.id, as_of=ready.day,
                     rulebook_version=result["rulebook_version"],
                     gpact_version=result["gpact_version"], result=result,
                     summary=summarise(result), created_by=actor.label)
    session.add(row)
    session.flush()
    # one multi-row insert, no objects (NULLs sent as such, so no row is set apart)
    dues = [{"assessment_id": row.id, "obligation": o["id"], "source": o["source"],
             "status": o["status"], "applies_from": _date(o.get("applies_from")),
             "due": _date(o.get("due"))} for o in result["obligations"]]
    session.execute(insert(ObligationDue).execution_options(render_nulls=True), dues)
    if [tuple(r[1:]) for r in before if r[1] is not None] != [
            tuple(d[k] for k in _SHOWN_DUE) for d in dues]:
        views.changed(session, model.org_id)  # the obligations list shows them
    model.latest_assessment_id = row.id
    deadline_rows.refresh(session, model, ready.day, result["rulebook_version"],
                          result["obligations"])
    audit.append(session, actor=actor.label, action="assessment.run", entity="model",
                 entity_id=model.id, org_id=actor.org_id, after=result,
                 detail={"assessment": row.id, "as_of": ready.day.isoformat(),
                         "rulebook_version": row.rulebook_version})
    tracking_sync.sync(session, actor.label, model, row, previous)
    return row


_SHOWN_DUE = ("obligation", "source", "status", "applies_from", "due")


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


class ModelRow(NamedTuple):
    """The columns of a model that the API and the portfolio show (no ORM object: the hot
    reads build no identity map)."""

    id: int
    name: str
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime


MODEL_COLUMNS = (Model.id, Model.name, Model.version, Model.created_at, Model.updated_at)
# Built once (constructing a statement costs about as much as running it): one model with the
# summary of its latest assessment; the full result, a large JSON document, is not loaded.
_MODEL_SUMMARY = (
    select(*MODEL_COLUMNS, Assessment.summary, Assessment.as_of)
    .outerjoin(Assessment, Assessment.id == Model.latest_assessment_id)
    .where(Model.id == bindparam("model_id"), Model.org_id == bindparam("org_id")))
# the result comes back as its stored JSON text (``CAST``, so no driver parses it either):
# the API sends it as it is instead of parsing, validating and serialising it again
_LATEST_WITH_PROFILE = (
    select(Model.id, Assessment.id, Assessment.as_of, Assessment.rulebook_version,
           Assessment.gpact_version, Assessment.created_by, Assessment.created_at,
           Assessment.summary, cast(Assessment.result, Text), ProfileVersion.number)
    .outerjoin(Assessment, Assessment.id == Model.latest_assessment_id)
    .outerjoin(ProfileVersion, ProfileVersion.id == Assessment.profile_version_id)
    .where(Model.id == bindparam("model_id"), Model.org_id == bindparam("org_id")))


def model_summary(session: Reader, actor: Actor, model_id: int
                  ) -> tuple[ModelRow, dict[str, Any] | None, dt.date | None]:
    """A model with the summary of its latest assessment, in one query."""
    row = session.execute(_MODEL_SUMMARY, {"model_id": model_id,
                                           "org_id": actor.org_id}).first()
    if row is None:
        raise NotFound(f"no model {model_id}")
    return ModelRow(*row[:5]), row[5], row[6]


@dataclass(frozen=True)
class LatestAssessment:
    """A model's latest assessment as the API shows it, with its profile version number."""

    id: int
    as_of: dt.date
    rulebook_version: str
    gpact_version: str
    created_by: str
    created_at: dt.datetime
    summary: dict[str, Any]
    result_json: str  # the stored JSON text of the result
    profile_version: int


def latest_assessment_with_profile(session: Reader, actor: Actor,
                                   model_id: int) -> LatestAssessment:
    """A model's latest assessment and the number of the profile version it assessed."""
    row = session.execute(_LATEST_WITH_PROFILE, {"model_id": model_id,
                                                 "org_id": actor.org_id}).first()
    if row is None:
        raise NotFound(f"no model {model_id}")
    if row[1] is None:
        raise NotFound(f"model {model_id} has not been assessed")
    return LatestAssessment(*row[1:])


def latest_assessment(session: Session, model: Model) -> Assessment | None:
    if model.latest_assessment_id is None:
        return None
    return session.get(Assessment, model.latest_assessment_id)


_SUMMARY = select(Assessment.summary, Assessment.as_of).where(
    Assessment.id == bindparam("assessment_id"))


def latest_summary(session: Session, model: Model
                   ) -> tuple[dict[str, Any] | None, dt.date | None]:
    """The summary and date of the model's latest assessment, without its full result (the
    answer to a save shows only these)."""
    if model.latest_assessment_id is None:
        return None, None
    row = session.execute(_SUMMARY, {"assessment_id": model.latest_assessment_id}).first()
    return (row[0], row[1]) if row else (None, None)


@dataclass(frozen=True)
class Page:
    items: list[Any]
    total: int
    limit: int
    offset: int


_MODEL_COUNT = select(func.count()).select_from(Model).where(
    Model.org_id == bindparam("org_id"))
# Deferred join: the page's ids come from walking the unique (org_id, name) index (names
# are unique in an organisation, so the name alone orders the page), so an OFFSET deep in
# the list skips index entries, not joined rows; only the page's models are then joined to
# their assessment's summary.
_PAGE_IDS = (select(Model.id).where(Model.org_id == bindparam("org_id"))
             .order_by(Model.name).limit(bindparam("limit"))
             .offset(bindparam("offset")).subquery())


def model_rows(summary_text: bool = False) -> Select[Any]:
    """A model page's columns: each model with its latest assessment's summary (the
    caller says which models and in what order); with ``summary_text`` the summary comes
    as its stored JSON text (``CAST``: no driver parses it, for an answer that sends it)."""
    summary = cast(Assessment.summary, Text) if summary_text else Assessment.summary
    return (select(*MODEL_COLUMNS, summary, Assessment.as_of)
            .outerjoin(Assessment, Assessment.id == Model.latest_assessment_id))


_MODEL_PAGE = model_rows().join(_PAGE_IDS, _PAGE_IDS.c.id == Model.id).order_by(Model.name)


def count_models(session: Reader, actor: Actor) -> int:
    return session.scalar(_MODEL_COUNT, {"org_id": actor.org_id}) or 0


def list_models(session: Reader, actor: Actor, limit: int = 50, offset: int = 0) -> Page:
    """One page of the portfolio: each model with the summary of its latest assessment (by
    ``OFFSET``; the server finds its pages by the kept order, ``portfolio_order``)."""
    require(actor, "read")
    total = count_models(session, actor)
    rows = session.execute(_MODEL_PAGE, {"org_id": actor.org_id, "limit": limit,
                                         "offset": offset})
    return Page([(ModelRow(*r[:5]), r[5], r[6]) for r in rows], total, limit, offset)


@dataclass(frozen=True)
class Deadline:
    model_id: int
    model: str
    obligation: str
    source: str
    applies_from: dt.date | None
    due: dt.date
    assessed_as_of: dt.date
    rulebook_version: str

    def as_dict(self, today: dt.date) -> dict[str, Any]:
        return {"model_id": self.model_id, "model": self.model, "obligation": self.obligation,
                "source": self.source,
                "applies_from": self.applies_from.isoformat() if self.applies_from else None,
                "due": self.due.isoformat(), "days_left": (self.due - today).days,
                "overdue": self.due < today, "assessed_as_of": self.assessed_as_of.isoformat(),
                "rulebook_version": self.rulebook_version}


def deadlines(session: Reader, actor: Actor, model_id: int | None = None,
              limit: int | None = None, offset: int = 0, after: dt.date | None = None,
              before: dt.date | None = None) -> list[Deadline]:
    """Dated obligations that apply, from each model's latest assessment, soonest first
    (one range of the ``current_deadlines`` index, however many models there are).

    ``after``/``before`` keep deadlines on or after / strictly before a day.
    """
    return deadlines_query(actor, model_id, limit, offset, after, before).run(session)


def deadlines_query(actor: Actor, model_id: int | None = None, limit: int | None = None,
                    offset: int = 0, after: dt.date | None = None,
                    before: dt.date | None = None) -> Query[list[Deadline]]:
    """``deadlines`` as a query for either face (see ``gpact.store.query``)."""
    require(actor, "read")
    row = CurrentDeadline
    query = (select(row.model_id, row.model_name, row.obligation, row.source,
                    row.applies_from, row.due, row.as_of, row.rulebook_version)
             .where(row.org_id == actor.org_id)
             .order_by(row.due, row.model_name, row.obligation))
    if model_id is not None:
        query = query.where(row.model_id == model_id)
    if after is not None:
        query = query.where(row.due >= after)
    if before is not None:
        query = query.where(row.due < before)
    if limit is not None:
        query = query.limit(limit).offset(offset)
    return Query(query, {}, lambda rows: [Deadline(*r) for r in rows])


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
