"""Accepting an invitation over the API: with a token of the invited user (any of their
organisations), the invitation's secret makes them a member of the inviting one."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.security import HTTPAuthorizationCredentials

from gpact.api import schemas as s
from gpact.api.routes import ERRORS, JSON_BODY, authenticate, bearer, db_of
from gpact.services import accounts
from gpact.store.models import User

router = APIRouter(prefix="/api")


@router.post("/invitations/accept", response_model=s.MemberOut, responses=ERRORS,
             dependencies=JSON_BODY, tags=["access"])
def accept_invitation(request: Request, body: s.AcceptIn,
                      creds: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
                      ) -> s.MemberOut:
    """Join the organisation that invited you (the invitation names your e-mail address)."""
    actor = authenticate(request, creds.credentials if creds else None)
    with db_of(request).write() as session:
        found, _ = accounts.invitation(session, body.invitation)
        user = session.get(User, actor.user_id)
        assert user is not None
        accounts.accept_invitation(session, body.invitation, user)
        return s.MemberOut(email=user.email, role=found.role)
