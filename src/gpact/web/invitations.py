"""The invitation link: ``/invite/<secret>`` lets the invited address join the organisation,
logged in as that address, or by creating its account with a password.

The page looks the same whoever opens it; only accepting tells the two cases apart (an
address with an account must log in first), so only the link's holder learns whether the
address had an account.
"""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, FastAPI, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from gpact import NOT_LEGAL_ADVICE, __version__
from gpact.services import accounts
from gpact.services.server_errors import Conflict, Forbidden, Invalid
from gpact.store.models import User
from gpact.web.pages import COOKIE, LOGIN_CSRF, problems_of, templates


def mount_invitations(app: FastAPI, *, secure_cookies: bool = False) -> None:
    router = APIRouter(include_in_schema=False)

    def _user(request: Request) -> User | None:
        cookie = request.cookies.get(COOKIE)
        if not cookie:
            return None
        with request.app.state.db.read() as session:
            found = accounts.resolve_session(session, cookie)
        return found[1] if found else None

    def _render(request: Request, secret: str, status: int = 200,
                problems: list[str] | None = None) -> HTMLResponse:
        with request.app.state.db.read() as session:
            offer, org = accounts.invitation(session, secret)
        user = _user(request)
        token = request.cookies.get(LOGIN_CSRF) or secrets.token_urlsafe(24)
        response = templates.TemplateResponse(request, "invite.html", {
            "version": __version__, "notice": NOT_LEGAL_ADVICE, "org_name": org.name,
            "role": offer.role, "email": offer.email, "user": user.email if user else None,
            "login_csrf": token, "secret": secret, "problems": problems or [],
            "min_length": accounts.MIN_PASSWORD}, status_code=status)
        response.set_cookie(LOGIN_CSRF, token, httponly=True, samesite="strict",
                            secure=secure_cookies, max_age=3600)
        return response

    @router.get("/invite/{secret}")
    def invite_page(request: Request, secret: str) -> HTMLResponse:
        return _render(request, secret[:200])

    @router.post("/invite/{secret}")
    def accept(request: Request, secret: str, csrf_token: Annotated[str, Form()] = "",
               password: Annotated[str, Form()] = "") -> Response:
        secret = secret[:200]
        cookie = request.cookies.get(LOGIN_CSRF, "")
        if not cookie or not secrets.compare_digest(cookie.encode(),
                                                             csrf_token.encode()):
            return _render(request, secret, 403, ["The form expired; please try again."])
        user = _user(request)
        try:
            with request.app.state.db.write() as session:
                _, org = accounts.invitation(session, secret)
                slug = org.slug
                if user is not None:
                    accounts.accept_invitation(session, secret, session.get(
                        User, user.id))
                    response = RedirectResponse(f"/o/{slug}/", status_code=303)
                else:
                    joined = accounts.accept_invitation(session, secret, None, password)
                    cookie_value, _ = accounts.start_session(session, joined)
                    response = RedirectResponse(f"/o/{slug}/", status_code=303)
                    response.set_cookie(COOKIE, cookie_value, httponly=True, samesite="lax",
                                        secure=secure_cookies, max_age=int(
                                            accounts.SESSION_LIFETIME.total_seconds()))
        except (Invalid, Conflict, Forbidden) as exc:
            problems = problems_of(exc)
            return _render(request, secret, exc.status, problems)
        response.delete_cookie(LOGIN_CSRF)
        return response

    app.include_router(router)
