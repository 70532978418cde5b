"""The FastAPI application: the API's routes over one `App`, error handling, size and rate limits,
CORS (off unless origins are configured), and optionally the Gradio UI mounted beside them."""

from __future__ import annotations

import logging
import threading
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from tutor.api import chat, routes
from tutor.api.keys import KeyStore
from tutor.api.limits import BodyLimit, RateLimiter
from tutor.api.startup import Startup
from tutor.app import App
from tutor.errors import IndexStoreError, TutorError

__all__ = ["create_api", "keys_for", "serve_app"]

log = logging.getLogger(__name__)

DESCRIPTION = """The tutor over HTTP.

* `POST /v1/chat/completions` and `GET /v1/models` speak OpenAI's chat-completions protocol with the
  tutor as the model; the reply is the grounded answer and the `tutor` field (on the response, or on
  the last chunk of a stream) carries its sources, next step and follow-up questions.
* `/api/*`: retrieval (the `tutor retrieve --json` contract), what to learn next, learner progress.
* Every `/v1` and `/api` call needs `Authorization: Bearer <key>` (`tutor keys create`); a learner's
  key reaches only that learner's data.  `/healthz` and `/readyz` need none.
"""


def keys_for(app: App) -> KeyStore:
    """The API keys in `app`'s learner store (shared by every replica on that store); the keys of an
    older tutor's `<data_dir>/api_keys.sqlite` are moved in on first use."""
    return KeyStore(app.learners.progress.db, legacy=app.settings.data_dir / "api_keys.sqlite")


def _error(status: int, message: str, kind: str, headers: Any = None) -> JSONResponse:
    """Errors in OpenAI's shape, so OpenAI clients show the message."""
    return JSONResponse({"error": {"message": message, "type": kind}}, status_code=status, headers=headers)


def _install_errors(api: FastAPI) -> None:
    @api.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        return _error(exc.status_code, str(exc.detail), "http_error", getattr(exc, "headers", None))

    @api.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()[:10])
        return _error(422, f"invalid request: {problems}", "invalid_request_error")

    @api.exception_handler(TutorError)
    async def tutor_error(_: Request, exc: TutorError) -> JSONResponse:
        status = 503 if isinstance(exc, IndexStoreError) else 400  # InputError, ProgressError, ...
        return _error(status, str(exc), type(exc).__name__)


def create_api(app: App, startup: Startup | None = None, keys: KeyStore | None = None) -> FastAPI:
    """The API over `app`.  `startup` tells /readyz when the start-up ingest is done (none: ready)."""
    cfg = app.settings.api
    if startup is None:
        startup = Startup(app)
        startup.ready.set()
    api = FastAPI(title="tutor", version="1", description=DESCRIPTION)
    api.state.tutor, api.state.settings, api.state.startup = app, app.settings, startup
    api.state.keys = keys or keys_for(app)
    api.state.limiter = RateLimiter(cfg.rate_limit, cfg.rate_limit_storage)
    api.state.answer_slots = threading.BoundedSemaphore(cfg.concurrency_limit)
    _install_errors(api)
    api.include_router(chat.router)
    api.include_router(routes.router)
    api.include_router(routes.health)
    if cfg.cors_origins:
        from fastapi.middleware.cors import CORSMiddleware

        api.add_middleware(
            CORSMiddleware,
            allow_origins=cfg.cors_origins,
            allow_methods=["GET", "POST", "PUT"],
            allow_headers=["Authorization", "Content-Type"],
        )
    api.add_middleware(BodyLimit, max_bytes=cfg.max_body_bytes)
    return api


def serve_app(app: App, ingest: bool = True, with_ui: bool = True) -> FastAPI:
    """The API (and the UI at /, unless `with_ui` is off), with the start-up work running behind it."""
    if with_ui:
        from tutor.ui.app import UIState
        from tutor.ui.mount import mount_ui

        ui = UIState(app)
        api = create_api(app, ui.startup)
        ui.startup.start(ingest)
        mount_ui(api, app, ui)
        return api
    startup = Startup(app)
    api = create_api(app, startup)
    startup.start(ingest)
    return api
