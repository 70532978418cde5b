"""`/api/*` (retrieve, next, learner progress) and the health endpoints, over the application."""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Request
from fastapi.responses import JSONResponse

from tutor.api.auth import Caller, Principal, learner_for
from tutor.api.schemas import (
    ERRORS,
    AskRequest,
    NextRequest,
    Passage,
    ProgressUpdate,
    Readiness,
    RetrieveRequest,
)
from tutor.app import App
from tutor.chain.answer import Answer
from tutor.chain.condense import Turn
from tutor.curriculum.progress import LearnerProfile

__all__ = ["health", "router"]

log = logging.getLogger(__name__)
router = APIRouter(prefix="/api", tags=["tutor"], responses=ERRORS)
health = APIRouter(tags=["health"])
LearnerId = Annotated[
    str, Path(pattern=r"^[\w.@+-]{1,64}$", description="A learner id (letters, digits, . _ @ + -).")
]


def _app(request: Request) -> App:
    app: App = request.app.state.tutor
    return app


@router.post("/retrieve", response_model=list[Passage])
def retrieve(request: Request, body: RetrieveRequest, _: Caller) -> list[dict[str, Any]]:
    """The passages the tutor would ground an answer on: the `tutor retrieve --json` contract."""
    where: dict[str, Any] = {}
    if body.doc:
        where["doc"] = body.doc
    if body.stage is not None:
        where["stage"] = body.stage
    hits = _app(request).retrieve(body.question, k=body.k, where=where or None, mode=body.mode)
    return [h.to_dict() for h in hits]


@router.post("/ask", response_model=Answer)
def ask(request: Request, body: AskRequest, principal: Caller) -> Answer:
    """One question, with the conversation before it for `tutor chat`: the `tutor ask --json` contract
    (the whole checked answer, with its sources, citation checks and timings).  Not stored as chat
    history, as neither `tutor ask` nor `tutor chat` stores it."""
    app = _app(request)
    learner = learner_for(principal, body.learner)
    if learner:
        app.learners.ensure(learner)
    history: list[Turn] = [(turn.role, turn.content) for turn in body.history]
    with request.app.state.answer_slots:  # api.concurrency_limit answers at once, as for /v1
        return app.ask(body.question, history, learner)


@router.post("/next")
def next_steps(request: Request, body: NextRequest, principal: Caller) -> dict[str, Any]:
    """What to learn next (the `tutor next --json` contract): for a stored learner (a learner key
    defaults to its own) or for ad-hoc `known` skills / a `text` description."""
    app = _app(request)
    learner = learner_for(principal, body.learner)
    if learner:
        _existing(app, principal, learner)
    plan, mentions = app.plan_next(learner, body.known, body.text, body.hours, body.language)
    payload = plan.to_json()
    if mentions is not None:
        payload["self_description"] = dict(mentions.__dict__)
    return payload


def _own(request: Request, principal: Principal, learner: str) -> App:
    """The app, once the caller may touch `learner` (403 otherwise)."""
    learner_for(principal, learner)
    return _app(request)


def _existing(app: App, principal: Principal, learner: str) -> LearnerProfile:
    """A learner key's own learner is created on first use; a client key must name a stored one (404)."""
    if principal.learner is None and not app.learners.progress.exists(learner):
        raise HTTPException(
            404,
            f"no learner '{learner}'; create one with PUT /api/learners/{learner}/progress "
            f"(or `tutor progress set --learner {learner} --name NAME`)",
        )
    return app.learners.ensure(learner)


@router.get("/learners/{learner}/progress", response_model=LearnerProfile)
def get_progress(request: Request, learner: LearnerId, principal: Caller) -> LearnerProfile:
    """A learner's profile and finished skills (a learner key: only its own; created on first use)."""
    return _existing(_own(request, principal, learner), principal, learner)


@router.put("/learners/{learner}/progress", response_model=LearnerProfile)
def put_progress(
    request: Request, body: ProgressUpdate, learner: LearnerId, principal: Caller
) -> LearnerProfile:
    """Create or update a learner; `finished` replaces the set of done skills."""
    app = _own(request, principal, learner)
    if body.finished is not None:
        app.roadmap.resolve_skills([str(n) for n in body.finished])  # unknown skill numbers: 400
    app.learners.progress.upsert(
        learner, name=body.name, hours_per_day=body.hours_per_day, goal=body.goal, language=body.language
    )
    if body.finished is not None:
        return app.learners.set_finished(learner, sorted(set(body.finished)))
    return app.learners.progress.get(learner)


@health.get("/healthz")
def healthz() -> dict[str, str]:
    """Liveness: the process answers (no key needed; for load balancers and container health checks)."""
    return {"status": "ok"}


def _index_state(request: Request, app: App) -> dict[str, Any]:
    startup = request.app.state.startup
    try:
        manifest = app.index.manifest()
    except Exception as exc:  # noqa: BLE001 - readiness reports any failure instead of raising it
        return {"ok": False, "detail": f"{type(exc).__name__}: {exc}"}
    loaded = bool(manifest.collection and manifest.docs)
    ok = loaded and startup.ready.is_set()
    detail = (
        "starting" if not startup.ready.is_set() else ("ready" if loaded else "empty: run `tutor ingest`")
    )
    return {"ok": ok, "documents": len(manifest.docs), "chunks": manifest.chunk_count, "detail": detail}


def _store_state(app: App) -> dict[str, Any]:
    try:
        app.learners.progress.exists("-")  # one round trip to the learner store
    except Exception as exc:  # noqa: BLE001 - readiness reports any failure instead of raising it
        return {"ok": False, "detail": f"{type(exc).__name__}: {exc}"}
    return {"ok": True}


@health.get("/readyz", response_model=Readiness, responses={503: {"model": Readiness}})
def readyz(request: Request) -> Any:
    """Readiness: index loaded, learner store reachable; the LLM's state is reported (offline mode
    still answers, by quoting the material), not required."""
    app = _app(request)
    llm = app.llm.health()
    ready = Readiness(
        ready=False,
        index=_index_state(request, app),
        store=_store_state(app),
        llm={"ok": llm.ok, "backend": app.llm.label, "mode": "model" if llm.ok else "offline (extractive)"},
    )
    ready.ready = bool(ready.index["ok"] and ready.store["ok"])
    return JSONResponse(ready.model_dump(), status_code=200 if ready.ready else 503)
