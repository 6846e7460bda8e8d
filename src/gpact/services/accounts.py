"""Users, organisations, roles, browser sessions and API tokens.

Passwords are hashed with argon2id. Session cookies and API tokens are random secrets of which
only a SHA-256 digest is stored, so a copy of the database does not let anyone log in.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass, field

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import bindparam, delete, func, select
from sqlalchemy.orm import Session

from gpact.services import passwords
from gpact.services.server_errors import Conflict, Forbidden, Invalid, NotFound
from gpact.store import audit
from gpact.store.access import Invitation
from gpact.store.db import Reader
from gpact.store.models import (
    ROLES,
    ApiToken,
    Membership,
    Organisation,
    User,
    WebSession,
    utcnow,
)

SESSION_LIFETIME = dt.timedelta(hours=8)
SCOPES = ("read", "write", "admin")
_RANK = {"viewer": 0, "editor": 1, "reviewer": 1, "admin": 2}
_SCOPE_RANK = {"read": 0, "write": 1, "admin": 2}
HASHER = PasswordHasher()  # argon2id with argon2-cffi's recommended (RFC 9106) parameters
_DUMMY_HASH = HASHER.hash("not a real password")
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
_EMAIL = re.compile(r"^[^\s@\x00-\x1f\x7f]+@[^\s@\x00-\x1f\x7f]+$")
MIN_PASSWORD = passwords.MIN_LENGTH


@dataclass(frozen=True)
class Actor:
    """Who is acting, for which organisation, with which role and (for tokens) scopes."""

    user_id: int
    email: str
    org_id: int
    org_slug: str
    role: str
    token: str | None = None
    scopes: tuple[str, ...] = SCOPES
    # the organisation's ``views_version`` and ``dues_version`` when the token was checked
    # (``gpact.store.views``): the keys of the kept portfolio answers, read in the same query
    views: int | None = field(default=None, compare=False)
    dues: int | None = field(default=None, compare=False)

    @property
    def label(self) -> str:
        return f"{self.email} (token {self.token})" if self.token else self.email

    def can(self, need: str) -> bool:
        """``need`` is read, write or admin; both the role and the token scope must allow it."""
        granted = min(_RANK[self.role], max(_SCOPE_RANK[s] for s in self.scopes))
        return granted >= _SCOPE_RANK[need]


def sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def hash_password(password: str, email: str = "") -> str:
    found = passwords.problems(password, email)
    if found:
        raise Invalid(found)
    return HASHER.hash(password)


def create_organisation(session: Session, slug: str, name: str, by: str) -> Organisation:
    if not _SLUG.match(slug):
        raise Invalid(["slug: use lower-case letters, digits and hyphens (at most 63)"])
    if session.scalar(select(Organisation.id).where(Organisation.slug == slug)) is not None:
        raise Conflict(f"organisation {slug!r} exists")
    org = Organisation(slug=slug, name=name or slug)
    session.add(org)
    session.flush()
    audit.append(session, actor=by, action="organisation.create", entity="organisation",
                 entity_id=org.id, org_id=org.id, after={"slug": slug, "name": org.name})
    return org


def create_user(session: Session, email: str, password: str, by: str, name: str = "") -> User:
    email = email.strip().lower()
    if not _EMAIL.match(email) or len(email) > 320:
        raise Invalid(["email: not an e-mail address"])
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise Conflict(f"user {email} exists")
    user = User(email=email, name=name, password_hash=hash_password(password, email))
    session.add(user)
    session.flush()
    audit.append(session, actor=by, action="user.create", entity="user", entity_id=user.id,
                 org_id=None, after={"email": email})
    return user


def set_role(session: Session, org: Organisation, user: User, role: str, by: str) -> Membership:
    if role not in ROLES:
        raise Invalid([f"role: must be one of {', '.join(ROLES)}"])
    member = session.scalar(select(Membership).where(Membership.org_id == org.id,
                                                     Membership.user_id == user.id))
    before = None if member is None else {"user": user.email, "role": member.role}
    if member is None:
        member = Membership(org_id=org.id, user_id=user.id, role=role)
        session.add(member)
    member.role = role
    session.flush()
    audit.append(session, actor=by, action="member.set_role", entity="membership",
                 entity_id=member.id, org_id=org.id, before=before,
                 after={"user": user.email, "role": role})
    return member


INVITATION_LIFETIME = dt.timedelta(days=7)


@dataclass(frozen=True)
class MemberChange:
    """What adding someone did: a role changed for a member of this organisation, or an
    invitation (its secret shown once) for anyone else — whether or not the address has an
    account elsewhere, which the admin is not told."""

    email: str
    role: str
    status: str  # "member" or "invited"
    secret: str | None = None
    expires_at: dt.datetime | None = None


def add_member(session: Session, actor: Actor, email: str, role: str) -> MemberChange:
    """Change a member's role, or invite an address into the actor's organisation. Only
    admins may; the last admin cannot step down."""
    if not actor.can("admin"):
        raise Forbidden("only admins manage members")
    if role not in ROLES:
        raise Invalid([f"role: must be one of {', '.join(ROLES)}"])
    email = email.strip().lower()
    if not _EMAIL.match(email) or len(email) > 320:
        raise Invalid(["email: not an e-mail address"])
    org = session.get(Organisation, actor.org_id)
    assert org is not None
    member = session.execute(select(User, Membership.role).join(
        Membership, Membership.user_id == User.id).where(
        Membership.org_id == org.id, User.email == email)).first()
    if member is not None:
        user = member[0]
        if user.id == actor.user_id and role != "admin":
            admins = session.scalar(select(func.count()).select_from(Membership).where(
                Membership.org_id == actor.org_id, Membership.role == "admin"))
            if admins == 1:
                raise Conflict("you are the last admin of this organisation")
        set_role(session, org, user, role, actor.label)
        return MemberChange(email, role, "member")
    session.execute(delete(Invitation).where(Invitation.org_id == org.id,
                                             Invitation.email == email,
                                             Invitation.accepted_at.is_(None)))
    secret = secrets.token_urlsafe(32)
    offer = Invitation(org_id=org.id, email=email, role=role, secret_hash=sha256(secret),
                       created_by=actor.label, expires_at=utcnow() + INVITATION_LIFETIME)
    session.add(offer)
    session.flush()
    audit.append(session, actor=actor.label, action="member.invite", entity="invitation",
                 entity_id=offer.id, org_id=org.id, after={"email": email, "role": role})
    return MemberChange(email, role, "invited", secret, offer.expires_at)


def invitation(session: Session, secret: str) -> tuple[Invitation, Organisation]:
    """The open invitation of a link's secret; NotFound if unknown, used or expired."""
    found = session.scalar(select(Invitation).where(Invitation.secret_hash == sha256(secret)))
    if found is None or found.accepted_at is not None or _aware(found.expires_at) <= utcnow():
        raise NotFound("this invitation does not exist, was used or has expired; ask for a "
                       "new one")
    org = session.get(Organisation, found.org_id)
    assert org is not None
    return found, org


def accept_invitation(session: Session, secret: str, user: User | None = None,
                      password: str | None = None) -> User:
    """Accept as the logged-in ``user`` (who must have the invited address), or create the
    account with ``password``. An address that already has an account must log in first."""
    found, org = invitation(session, secret)
    if user is None:
        if session.scalar(select(User.id).where(User.email == found.email)) is not None:
            raise Conflict(f"{found.email} has an account: log in with it to accept")
        user = create_user(session, found.email, password or "", f"invitation {found.id}")
    elif user.email != found.email:
        raise Forbidden(f"this invitation is for {found.email}; you are logged in as "
                        f"{user.email}")
    found.accepted_at = utcnow()
    set_role(session, org, user, found.role, user.email)
    audit.append(session, actor=user.email, action="member.accept", entity="invitation",
                 entity_id=found.id, org_id=org.id, after={"email": user.email,
                                                           "role": found.role})
    return user


def pending_invitations(session: Session, actor: Actor) -> list[Invitation]:
    return list(session.scalars(select(Invitation).where(
        Invitation.org_id == actor.org_id, Invitation.accepted_at.is_(None),
        Invitation.expires_at > utcnow()).order_by(Invitation.email)))


def members(session: Session, actor: Actor) -> list[tuple[str, str]]:
    rows = session.execute(select(User.email, Membership.role).join(
        Membership, Membership.user_id == User.id).where(
        Membership.org_id == actor.org_id).order_by(User.email)).all()
    return [(email, role) for email, role in rows]


def memberships(session: Session, user_id: int) -> list[tuple[Organisation, str]]:
    rows = session.execute(select(Organisation, Membership.role).join(
        Membership, Membership.org_id == Organisation.id).where(Membership.user_id == user_id)
        .order_by(Organisation.slug)).all()
    return [(org, role) for org, role in rows]


def actor_for(session: Session, user: User, org_slug: str) -> Actor:
    """The user acting in one of their organisations; NotFound if they are not a member."""
    row = session.execute(select(Organisation, Membership.role).join(
        Membership, Membership.org_id == Organisation.id).where(
        Membership.user_id == user.id, Organisation.slug == org_slug)).first()
    if row is None:
        raise NotFound(f"no organisation {org_slug!r}")
    return Actor(user.id, user.email, row[0].id, row[0].slug, row[1])


def authenticate(session: Session, email: str, password: str) -> User | None:
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    try:
        HASHER.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    return user


def start_session(session: Session, user: User) -> tuple[str, WebSession]:
    """A new login; returns the cookie value (shown once) and the stored session.

    Expired sessions of everyone are cleared on the way, so the table does not grow.
    """
    session.execute(delete(WebSession).where(WebSession.expires_at < utcnow()))
    secret = secrets.token_urlsafe(32)
    web = WebSession(id=sha256(secret), user_id=user.id, csrf_token=secrets.token_urlsafe(32),
                     expires_at=utcnow() + SESSION_LIFETIME)
    session.add(web)
    audit.append(session, actor=user.email, action="session.login", entity="user",
                 entity_id=user.id, org_id=None)
    return secret, web


def resolve_session(session: Session, cookie: str) -> tuple[WebSession, User] | None:
    web = session.get(WebSession, sha256(cookie))
    if web is None or _aware(web.expires_at) <= utcnow():
        return None
    user = session.get(User, web.user_id)
    return (web, user) if user is not None else None


def end_session(session: Session, cookie: str) -> None:
    web = session.get(WebSession, sha256(cookie))
    if web is not None:
        session.delete(web)


def create_token(session: Session, actor: Actor, name: str, scopes: list[str]) -> tuple[str,
                                                                                       ApiToken]:
    """A new API token for the actor's organisation; its secret is returned once."""
    bad = [s for s in scopes if s not in SCOPES]
    if bad or not scopes:
        raise Invalid([f"scopes: choose from {', '.join(SCOPES)}"])
    if not name.strip() or len(name) > 200:
        raise Invalid(["name: give the token a name (at most 200 characters)"])
    public, secret = secrets.token_hex(8), secrets.token_urlsafe(32)
    token = ApiToken(public_id=public, org_id=actor.org_id, user_id=actor.user_id,
                     name=name.strip(), secret_hash=sha256(secret), scopes=",".join(scopes))
    session.add(token)
    session.flush()
    audit.append(session, actor=actor.label, action="token.create", entity="api_token",
                 entity_id=token.id, org_id=actor.org_id,
                 after={"name": token.name, "scopes": token.scopes})
    return f"gpact_{public}_{secret}", token


_TOKEN_QUERY = (  # built once: constructing the statement cost as much as running it
    select(ApiToken.secret_hash, ApiToken.revoked_at, ApiToken.name, ApiToken.scopes,
           User.id, User.email, Organisation.id, Organisation.slug, Membership.role,
           Organisation.views_version, Organisation.dues_version)
    .join(Membership, (Membership.user_id == ApiToken.user_id)
          & (Membership.org_id == ApiToken.org_id))
    .join(User, User.id == ApiToken.user_id)
    .join(Organisation, Organisation.id == ApiToken.org_id)
    .where(ApiToken.public_id == bindparam("public_id")))


def resolve_token(session: Reader, raw: str) -> Actor | None:
    """The actor of a bearer token, or None if it is unknown, revoked or its user has left
    the organisation. One indexed query (token, membership, user, organisation), columns
    only: it runs on every API request."""
    parts = raw.split("_", 2)
    if len(parts) != 3 or parts[0] != "gpact":
        return None
    row = session.execute(_TOKEN_QUERY, {"public_id": parts[1]}).first()
    # no row: unknown token, or the user left the organisation (the token dies with it)
    if row is None or row[1] is not None \
            or not secrets.compare_digest(row[0], sha256(parts[2])):
        return None
    _, _, name, scopes, user_id, email, org_id, slug, role, views, dues = row
    return Actor(user_id, email, org_id, slug, role, token=name,
                 scopes=tuple(scopes.split(",")), views=views, dues=dues)


def list_tokens(session: Session, actor: Actor) -> list[ApiToken]:
    query = select(ApiToken).where(ApiToken.org_id == actor.org_id).order_by(ApiToken.id)
    if not actor.can("admin"):
        query = query.where(ApiToken.user_id == actor.user_id)
    return list(session.scalars(query))


def revoke_token(session: Session, actor: Actor, token_id: int) -> ApiToken:
    token = session.get(ApiToken, token_id)
    if token is None or token.org_id != actor.org_id or (
            token.user_id != actor.user_id and not actor.can("admin")):
        raise NotFound(f"no token {token_id}")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        audit.append(session, actor=actor.label, action="token.revoke", entity="api_token",
                     entity_id=token.id, org_id=actor.org_id, before={"name": token.name})
    return token


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


class LoginLimiter:
    """At most ``attempts`` failed logins per key (address and e-mail) in ``window`` seconds.

    Kept in the server process: it slows guessing against one server; behind several workers
    put a rate limit in the reverse proxy as well.
    """

    def __init__(self, attempts: int = 5, window: float = 300.0) -> None:
        self.attempts, self.window = attempts, window
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def blocked(self, key: str) -> bool:
        with self._lock:
            recent = self._recent(key)
            return len(recent) >= self.attempts

    def failed(self, key: str) -> None:
        with self._lock:
            self._recent(key).append(time.monotonic())

    def succeeded(self, key: str) -> None:
        with self._lock:
            self._failures.pop(key, None)

    def _recent(self, key: str) -> deque[float]:
        recent = self._failures.setdefault(key, deque())
        while recent and recent[0] < time.monotonic() - self.window:
            recent.popleft()
        return recent
