"""The server application: REST API under /api, web pages under /, one process, one database."""

from __future__ import annotations

import json
import logging
import os
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio.to_thread
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gpact import __version__
from gpact.api.read_cache import ReadCache
from gpact.api.routes import router
from gpact.services.server_errors import Invalid, ServiceError
from gpact.store.db import Database

log = logging.getLogger("gpact.server")
MAX_BODY_BYTES = 11 * 1024 * 1024  # the 10 MiB ledger limit plus multipart framing
# Worker threads for the (synchronous) routes. Fewer than anyio's default 40: on a few cores
# more threads only queue for the GIL, and each holds a pooled database connection.
WORKER_THREADS = 20


@asynccontextmanager
async def _lifespan(_app: FastAPI) -> AsyncIterator[None]:
    anyio.to_thread.current_default_thread_limiter().total_tokens = WORKER_THREADS
    yield


class BodyLimit:
    """Refuse request bodies over ``limit`` bytes with 413, by header or while streaming."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await _too_large(send, self.limit)
            return
        seen = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit:
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
                await _too_large(send, self.limit)


class _BodyTooLarge(Exception):
    pass


async def _too_large(send: Send, limit: int) -> None:
    body = json.dumps({"detail": f"request body larger than {limit // (1024 * 1024)} MiB",
                       "problems": []}).encode()
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


class RequestLog:
    """One JSON log line per request, a request id, and the security headers on every answer.

    Plain ASGI (not ``BaseHTTPMiddleware``): it adds no task or stream per request.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id = uuid.uuid4().hex[:12]
        status = 500

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                headers += [(k, v) for k, v in _HEADERS if k not in present]
                headers.append((b"x-request-id", request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
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


def _problem(status: int, detail: str, problems: list[str] | None = None,
             headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"detail": detail, "problems": problems or []}, status_code=status,
                        headers=headers)


def create_app(db: Database, *, secure_cookies: bool = False,
               login_attempts: int = 5) -> FastAPI:
    """Build the app on an already migrated database."""
    app = FastAPI(title="gpact", version=__version__, openapi_url="/api/openapi.json",
                  docs_url=None, redoc_url=None,  # Swagger UI would load scripts from a CDN
                  lifespan=_lifespan,
                  description="The gpact register of general-purpose AI models: profiles, "
                  "assessments, deadlines, documents, compute ledgers and the audit trail. "
                  "gpact is not legal advice.")
    app.state.db = db
    app.state.read_cache = ReadCache()
    app.include_router(router)
    try:
        from gpact.web.pages import mount
    except ImportError:  # pragma: no cover - the web package ships with the server extra
        pass
    else:
        mount(app, secure_cookies=secure_cookies, login_attempts=login_attempts)

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

    app.add_middleware(RequestLog)
    app.add_middleware(BodyLimit, limit=MAX_BODY_BYTES)
    return app


def app_from_environment() -> FastAPI:
    """The app for ``gpact serve --workers N``: each worker process builds its own from the
    environment (the database is migrated by ``gpact serve`` before the workers start)."""
    from gpact.api.logs import configure_logging

    configure_logging()
    db = Database(os.environ["GPACT_DATABASE_URL"])
    return create_app(db, secure_cookies=os.environ.get("GPACT_SECURE_COOKIES") == "1")
