"""The server application: REST API under /api, web pages under /, one process, one database."""

from __future__ import annotations

import gc
import json
import logging
import os
import sys
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio.to_thread
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from gpact import __version__
from gpact.api.access_routes import router as access_router
from gpact.api.portfolio_reads import PortfolioReads
from gpact.api.read_cache import ReadCache
from gpact.api.routes import router
from gpact.rulebook.loader import RuleNotInForce
from gpact.services.server_errors import Invalid, ServiceError
from gpact.store.db import Database

log = logging.getLogger("gpact.server")
MAX_BODY_BYTES = 11 * 1024 * 1024  # the 10 MiB ledger limit plus multipart framing
# Every other body: the largest field is a 1 MiB record, which JSON may escape to a few MiB.
DEFAULT_BODY_BYTES = 4 * 1024 * 1024
_LARGE_BODIES = ("/ledgers", "/import", "/evidence", "/evidence/files", "/evaluations",
                 "/inputs", "/inputs/data_summary", "/inputs/rights_audit")  # take a file
# At most this many as-you-type validations run at once per process; more get 429, so
# viewers typing cannot take the worker threads that everyone else's requests need.
VALIDATIONS_AT_ONCE = 4
# Worker threads for the (synchronous) routes. Fewer than anyio's default 40: on a few cores
# more threads only queue for the GIL, and each holds a pooled database connection.
WORKER_THREADS = 20
# How long a thread keeps the GIL while another waits for it (CPython's default is 5 ms).
# Under mixed load the event loop serving reads holds the GIL while a writer thread, which
# gives it up at every database call, waits up to that long each time it wants it back: a
# save (some twenty statements) then took most of a second. With 1 ms, measured under the
# benchmark's mixed load: twice the reads and writes per second, half the p50 (0.5 ms was
# worse again). See docs/server.md.
SWITCH_INTERVAL = 0.001
# The cyclic garbage collector's first threshold (CPython's default is 700 allocations).
# Measured in process with 10,000 models (docs/server.md): unfrozen, a full collection over
# all of the process's objects (the rulebook, the ORM's mappers, the kept answers) stalled
# the event loop that every connection waits on for 160 ms; frozen after startup it walks
# only what requests left behind. 2,000 collects a quarter as often at 0.5 ms a time; at
# 20,000 each young collection took 10-25 ms, worse for the tail than many short ones.
GC_THRESHOLD = 2_000


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    anyio.to_thread.current_default_thread_limiter().total_tokens = WORKER_THREADS
    reads: PortfolioReads = app.state.portfolio_reads
    await reads.start()
    sys.setswitchinterval(SWITCH_INTERVAL)
    # what exists once the app is up lives as long as the process: moved out of the
    # collector's sight, so a full collection no longer walks it
    gc.collect()
    gc.freeze()
    gc.set_threshold(GC_THRESHOLD, *gc.get_threshold()[1:])
    try:
        yield
    finally:
        await reads.stop()


class BodyLimit:
    """Refuse request bodies over ``limit`` bytes with 413, by header or while streaming."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = body_limit(scope["path"], self.limit)
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _too_large(send, limit)
            return
        seen = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > limit:
                raise _BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _BodyTooLarge:
            if not started:
                await _too_large(send, limit)


def body_limit(path: str, largest: int) -> int:
    """The body limit of a route: ``largest`` for file uploads and imports, else 4 MiB."""
    return largest if path.rstrip("/").endswith(_LARGE_BODIES) else min(largest,
                                                                        DEFAULT_BODY_BYTES)


class _BodyTooLarge(Exception):
    pass


class ValidationGate:
    """At most ``at_once`` as-you-type validations (``POST …/validate``) in flight; the
    next gets 429 at once. Each one's work is bounded by ``gpact.services.input_limits``;
    this bounds how many workers they can hold together."""

    def __init__(self, app: ASGIApp, at_once: int = VALIDATIONS_AT_ONCE) -> None:
        self.app, self.free = app, at_once

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" \
                or not scope["path"].endswith("/validate"):
            await self.app(scope, receive, send)
            return
        if self.free <= 0:  # one event loop: no lock needed between the check and the take
            await _send_json(send, 429, {"detail": "too many validations at once; the next "
                                         "keystroke tries again", "problems": []},
                             [(b"retry-after", b"1")])
            return
        self.free -= 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.free += 1


async def _too_large(send: Send, limit: int) -> None:
    await _send_json(send, 413, {"detail": f"request body larger than "
                                 f"{limit // (1024 * 1024)} MiB", "problems": []})


async def _send_json(send: Send, status: int, content: dict[str, Any],
                     headers: list[tuple[bytes, bytes]] | None = None) -> None:
    body = json.dumps(content).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode()), *(headers or [])]})
    await send({"type": "http.response.body", "body": body})


class RequestLog:
    """One JSON log line per request, a request id, and the security headers on every answer.

    Plain ASGI (not ``BaseHTTPMiddleware``): it adds no task or stream per request.
    """

    def __init__(self, app: ASGIApp, hsts: bool = False) -> None:
        self.app = app
        self.extra = _HEADERS + ([(b"strict-transport-security", HSTS.encode())] if hsts
                                 else [])

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id = uuid.uuid4().hex[:12]
        status = 500
        answered = False
        private = _private(scope)

        async def send_with_headers(message: Message) -> None:
            nonlocal status, answered
            if message["type"] == "http.response.start":
                status, answered = message["status"], True
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                headers += [(k, v) for k, v in self.extra if k not in present]
                if private:  # secrets or a user's data: no copy in any cache
                    headers = [(k, v) for k, v in headers if k.lower() != b"cache-control"]
                    headers.append((b"cache-control", b"no-store"))
                headers.append((b"x-request-id", request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception:
            # Every 500 is logged with its traceback and the request id the client sees.
            log.exception(json.dumps({"event": "error", "id": request_id,
                                      "method": scope["method"], "path": scope["path"]}))
            if not answered:
                await _send_json(send_with_headers, 500, {
                    "detail": f"internal error (request {request_id}); it has been logged",
                    "problems": []})
        finally:
            state = scope.get("state") or {}
            log.info(json.dumps({
                "event": "request", "id": request_id, "method": scope["method"],
                "path": scope["path"], "status": status,
                "ms": round((time.perf_counter() - started) * 1000, 1),
                "actor": state.get("actor")}))


SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; "
                               "frame-ancestors 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


_HEADERS = [(k.lower().encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]
HSTS = "max-age=31536000; includeSubDomains"  # sent when cookies are Secure (HTTPS only)


def _private(scope: Scope) -> bool:
    """A request that carries credentials, or the login and invitation pages (they hold a
    CSRF secret; an invitation link is one)."""
    if scope["path"].startswith(("/login", "/invite/")):
        return True
    for name, value in scope["headers"]:
        if name == b"authorization" or (name == b"cookie" and b"gpact_session=" in value):
            return True
    return "token=" in scope.get("query_string", b"").decode("latin1")


def _problem(status: int, detail: str, problems: list[str] | None = None,
             headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"detail": detail, "problems": problems or []}, status_code=status,
                        headers=headers)


def create_app(db: Database, *, secure_cookies: bool = False, login_attempts: int = 5,
               forwarded_allow_ips: str | None = None) -> FastAPI:
    """Build the app on an already migrated database.

    ``forwarded_allow_ips``: the proxies (addresses or networks, comma-separated) whose
    ``X-Forwarded-For``/``-Proto`` are believed; from anyone else those headers are ignored,
    so the login limit counts the address that really connected.
    """
    app = FastAPI(title="gpact", version=__version__, openapi_url="/api/openapi.json",
                  docs_url=None, redoc_url=None,  # Swagger UI would load scripts from a CDN
                  lifespan=_lifespan,
                  description="The gpact register of general-purpose AI models: profiles, "
                  "assessments, deadlines, documents, compute ledgers and the audit trail. "
                  "gpact is not legal advice.")
    app.state.db = db
    app.state.read_cache = ReadCache()
    app.state.portfolio_reads = PortfolioReads(db)
    app.include_router(router)
    app.include_router(access_router)
    try:
        from gpact.web.invitations import mount_invitations
        from gpact.web.pages import mount
    except ImportError:  # pragma: no cover - the web package ships with the server extra
        pass
    else:
        mount(app, secure_cookies=secure_cookies, login_attempts=login_attempts)
        mount_invitations(app, secure_cookies=secure_cookies)

    @app.exception_handler(ServiceError)
    async def _service_error(request: Request, exc: ServiceError) -> JSONResponse:
        render = getattr(app.state, "render_error", None)
        if render is not None and not request.url.path.startswith("/api/"):
            response: JSONResponse = render(request, exc)
            return response
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
        problems = exc.problems if isinstance(exc, Invalid) else []
        return _problem(exc.status, exc.message, problems, headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [".".join(str(p) for p in err["loc"]) + ": " + err["msg"]
                    for err in exc.errors()]
        return _problem(422, "invalid request", problems)

    @app.exception_handler(RuleNotInForce)
    async def _too_early(request: Request, exc: RuleNotInForce) -> JSONResponse:
        return _bad_input(request, Invalid([f"as_of: the rulebook has no rule in force on "
                                            f"that date ({exc.args[0] if exc.args else exc})"]))

    @app.exception_handler(OverflowError)
    @app.exception_handler(DataError)
    async def _out_of_range(request: Request, exc: Exception) -> JSONResponse:
        # A number or text the database cannot hold (an id beyond 2^63, a NUL in a text):
        # bad input, not a server fault. Logged, so a real bug behind it is still seen.
        log.warning(json.dumps({"event": "rejected", "path": request.url.path,
                                "reason": f"{type(exc).__name__}: {str(exc)[:200]}"}))
        return _bad_input(request, Invalid(["a value in the request is out of range"]))

    def _bad_input(request: Request, exc: Invalid) -> JSONResponse:
        render = getattr(app.state, "render_error", None)
        if render is not None and not request.url.path.startswith("/api/"):
            response: JSONResponse = render(request, exc)
            return response
        return _problem(exc.status, exc.message, exc.problems)

    app.add_middleware(ValidationGate)  # innermost; each add wraps the ones before
    app.add_middleware(BodyLimit, limit=MAX_BODY_BYTES)
    app.add_middleware(RequestLog, hsts=secure_cookies)
    if forwarded_allow_ips:
        app.add_middleware(ProxyHeadersMiddleware,
                           trusted_hosts=forwarded_allow_ips)
    return app


def app_from_environment() -> FastAPI:
    """The app for ``gpact serve --workers N``: each worker process builds its own from the
    environment (the database is migrated by ``gpact serve`` before the workers start)."""
    from gpact.api.logs import configure_logging

    configure_logging()
    db = Database(os.environ["GPACT_DATABASE_URL"])
    return create_app(db, secure_cookies=os.environ.get("GPACT_SECURE_COOKIES") == "1",
                      forwarded_allow_ips=os.environ.get("GPACT_FORWARDED_ALLOW_IPS") or None)
