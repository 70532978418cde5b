"""`/v1/models` and `/v1/chat/completions`: the tutor as an OpenAI-compatible model.

The reply is the tutor's grounded answer; sources, next step and follow-ups travel in the `tutor`
field of the response (streaming: of the last chunk before `[DONE]`).  The last user message is the
question, the earlier user/assistant messages the history (system messages are ignored: the tutor's
instructions are its own).  A streamed answer sends the model's tokens as they come; when the checked
answer adds to them (the next-step line) the addition is one more delta, and when the model failed
mid-answer and the tutor fell back to quoting the material, the fallback follows a separator.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from collections.abc import Iterator

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import StreamingResponse

from tutor.api.auth import Caller, Principal, learner_for
from tutor.api.schemas import (
    ERRORS,
    AssistantMessage,
    ChatChoice,
    ChatRequest,
    ChatResponse,
    ModelCard,
    ModelList,
    TutorExtra,
)
from tutor.app import App
from tutor.chain.answer import Answer, AnswerStream
from tutor.chain.condense import Turn
from tutor.errors import TutorError

__all__ = ["router"]

log = logging.getLogger(__name__)
router = APIRouter(prefix="/v1", tags=["openai"], responses=ERRORS)
_STARTED = int(time.time())


def _app(request: Request) -> App:
    app: App = request.app.state.tutor
    return app


@router.get("/models", response_model=ModelList)
def list_models(request: Request, _: Caller) -> ModelList:
    """The one model: the tutor."""
    return ModelList(data=[ModelCard(id=request.app.state.settings.api.model_name, created=_STARTED)])


def _conversation(body: ChatRequest) -> tuple[str, list[Turn]]:
    """The question (the last user message) and the history before it."""
    turns: list[Turn] = [(m.role, m.text()) for m in body.messages if m.role in ("user", "assistant")]
    if not turns or turns[-1][0] != "user" or not turns[-1][1].strip():
        raise HTTPException(422, "the last message must be the learner's question (role 'user', not empty)")
    return turns[-1][1], turns[:-1]


def _record(app: App, learner: str | None, question: str, answer: Answer) -> None:
    """Store the exchange as the UI does, so the learner's conversation survives any replica."""
    if not learner or not app.settings.api.history_turns_stored:
        return
    meta = {
        "question": question,
        "route": answer.route,
        "backend": answer.backend,
        "sources": [s.model_dump(exclude={"text"}) for s in answer.cited_sources],
        "followups": answer.followups[:3],
        "via": "api",
    }
    app.learners.history.append_exchange(learner, question, answer.text, meta)


def _prepare(
    request: Request, body: ChatRequest, principal: Principal
) -> tuple[App, str | None, str, list[Turn]]:
    app: App = request.app.state.tutor
    learner = learner_for(principal, body.user)
    if learner:
        app.learners.ensure(learner)
    question, history = _conversation(body)
    return app, learner, question, history[-2 * max(1, app.settings.chain.history_turns) :]


@router.post(
    "/chat/completions",
    response_model=ChatResponse,
    responses={200: {"content": {"text/event-stream": {}}, "description": "JSON, or SSE with stream=true"}},
)
def chat_completions(
    request: Request, body: ChatRequest, principal: Caller
) -> ChatResponse | StreamingResponse:
    """Ask the tutor.  `user` names the learner (a learner key defaults to, and may only use, its own)."""
    app, learner, question, history = _prepare(request, body, principal)
    model, slots = app.settings.api.model_name, request.app.state.answer_slots
    if body.stream:
        events = _sse(app, slots, learner, question, history, model)
        return StreamingResponse(
            events, media_type="text/event-stream", headers={"Cache-Control": "no-cache"}
        )
    with slots:  # api.concurrency_limit answers at once; the others wait here
        answer = app.ask(question, history, learner)
    _record(app, learner, question, answer)
    return ChatResponse(
        id=f"chatcmpl-{uuid.uuid4().hex}",
        created=int(time.time()),
        model=model,
        choices=[ChatChoice(message=AssistantMessage(content=answer.text))],
        tutor=TutorExtra.from_answer(answer, learner),
    )


def _chunk(cid: str, model: str, delta: dict[str, str], finish: str | None = None, **extra: object) -> str:
    payload = {
        "id": cid,
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        **extra,
    }
    return f"data: {json.dumps(payload, ensure_ascii=False)}\n\n"


def _sse(
    app: App, slots: threading.Semaphore, learner: str | None, question: str, history: list[Turn], model: str
) -> Iterator[str]:
    """Server-sent events in OpenAI's chunk format, ending with the `tutor` extras and `[DONE]`."""
    cid = f"chatcmpl-{uuid.uuid4().hex}"
    yield _chunk(cid, model, {"role": "assistant", "content": ""})
    shown = ""
    try:
        with slots:  # api.concurrency_limit answers at once; the others wait here
            stream = AnswerStream(app.ask_stream(question, history, learner))
            for event in stream:
                if event.kind == "token" and stream.text.startswith(shown):
                    yield _chunk(cid, model, {"content": stream.text[len(shown) :]})
                    shown = stream.text
            answer = stream.final()
    except TutorError as exc:  # the headers are sent: say it the way OpenAI clients understand
        log.warning("Streamed answer failed: %s", exc)
        yield f"data: {json.dumps({'error': {'message': str(exc), 'type': 'tutor_error'}}, ensure_ascii=False)}\n\n"
        return
    if answer.text.startswith(shown):
        rest = answer.text[len(shown) :]
    else:  # the model stopped mid-answer; what follows is the retrieval-only answer
        rest = "\n\n---\n\n" + answer.text
    if rest:
        yield _chunk(cid, model, {"content": rest})
    _record(app, learner, question, answer)
    extra = TutorExtra.from_answer(answer, learner).model_dump(mode="json")
    yield _chunk(cid, model, {}, "stop", tutor=extra)
    yield "data: [DONE]\n\n"
