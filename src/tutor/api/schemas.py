"""Request and response models of the HTTP API; FastAPI publishes them at /openapi.json.

The chat models follow OpenAI's chat-completions wire format (what any OpenAI client or Open WebUI
sends and expects); the tutor's own extras travel in one documented field, `tutor`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from tutor.chain.answer import Answer

__all__ = [
    "AskRequest",
    "ChatMessage",
    "ChatRequest",
    "ChatResponse",
    "ChatChoice",
    "ERRORS",
    "ErrorBody",
    "ModelCard",
    "ModelList",
    "NextRequest",
    "Passage",
    "ProgressUpdate",
    "Readiness",
    "RetrieveRequest",
    "TutorExtra",
]

MAX_MESSAGES = 50
MAX_CONTENT_CHARS = 20_000


class ContentPart(BaseModel):
    """One block of a multi-part message (OpenAI's `[{"type": "text", "text": ...}]`)."""

    model_config = ConfigDict(extra="ignore")
    type: str = "text"
    text: str = Field("", max_length=MAX_CONTENT_CHARS)


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="ignore")  # name, tool_calls ... are accepted and ignored
    role: Literal["system", "user", "assistant", "tool", "developer"]
    content: Annotated[str, Field(max_length=MAX_CONTENT_CHARS)] | list[ContentPart] | None = None

    def text(self) -> str:
        if isinstance(self.content, list):
            return "".join(part.text for part in self.content if part.type == "text")
        return self.content or ""


class ChatRequest(BaseModel):
    """OpenAI's chat-completions request.  Sampling options are accepted and ignored: the tutor's
    answer is grounded and checked, its model settings are the server's (`llm.*`)."""

    model_config = ConfigDict(extra="ignore")
    model: str = Field("tutor", max_length=200)
    messages: list[ChatMessage] = Field(min_length=1, max_length=MAX_MESSAGES)
    stream: bool = False
    user: str | None = Field(
        None,
        max_length=64,
        description="The learner this conversation is for. A learner key may only name its own learner; "
        "a client key names any (progress and history are then that learner's).",
    )
    temperature: float | None = None
    max_tokens: int | None = None


class SourceOut(BaseModel):
    n: int
    id: str
    doc: str
    title: str
    headings: list[str] = Field(default_factory=list)
    lines: list[int] = Field(default_factory=list)
    link: str | None = None
    score: float | None = None
    cited: bool = False


class TutorExtra(BaseModel):
    """What the tutor says beyond the reply text: the passages it rests on, the next step and follow-ups."""

    route: str = Field(description="next_step, material, chitchat or decline.")
    backend: str = Field(description="extractive (no model) or the model that wrote the answer.")
    refused: bool = Field(description="The material does not cover the question (the reply says so).")
    weak: bool = Field(description="The best passages are only weakly relevant.")
    relevance: float | None = None
    notice: str | None = Field(None, description="A note to show, e.g. offline mode.")
    sources: list[SourceOut] = Field(default_factory=list, description="Numbered passages; [n] in the text.")
    next_step: str | None = None
    followups: list[str] = Field(default_factory=list, description="Suggested follow-up questions.")
    learner: str | None = Field(None, description="Whose progress and history the answer used.")

    @classmethod
    def from_answer(cls, answer: Answer, learner: str | None) -> TutorExtra:
        return cls(
            route=answer.route,
            backend=answer.backend,
            refused=answer.refused,
            weak=answer.weak,
            relevance=answer.relevance,
            notice=answer.notice,
            sources=[SourceOut(**s.model_dump(exclude={"text", "injection_flag"})) for s in answer.sources],
            next_step=answer.next_step,
            followups=answer.followups,
            learner=learner,
        )


class AssistantMessage(BaseModel):
    role: Literal["assistant"] = "assistant"
    content: str


class ChatChoice(BaseModel):
    index: int = 0
    message: AssistantMessage
    finish_reason: Literal["stop"] = "stop"


class ChatResponse(BaseModel):
    id: str
    object: Literal["chat.completion"] = "chat.completion"
    created: int
    model: str
    choices: list[ChatChoice]
    tutor: TutorExtra = Field(description="The tutor's extras (sources, next step, follow-ups).")


class ModelCard(BaseModel):
    id: str
    object: Literal["model"] = "model"
    created: int
    owned_by: str = "tutor"


class ModelList(BaseModel):
    object: Literal["list"] = "list"
    data: list[ModelCard]


class HistoryTurn(BaseModel):
    """One earlier message of a conversation (`tutor chat`)."""

    model_config = ConfigDict(extra="forbid")
    role: Literal["user", "assistant"]
    content: str = Field(max_length=MAX_CONTENT_CHARS)


class AskRequest(BaseModel):
    """The arguments of `tutor ask` (one question) and of `tutor chat` (a question and what came before)."""

    model_config = ConfigDict(extra="forbid")
    question: str = Field(min_length=1, max_length=MAX_CONTENT_CHARS)
    learner: str | None = Field(
        None, max_length=64, description="Whose progress the answer uses (a learner key: only its own)."
    )
    history: list[HistoryTurn] = Field(
        default_factory=list,
        max_length=100,
        description="Earlier messages, oldest first (follow-ups are understood in their context).",
    )


class RetrieveRequest(BaseModel):
    """The arguments of `tutor retrieve`."""

    model_config = ConfigDict(extra="forbid")
    question: str = Field(min_length=1, max_length=2_000)
    k: int | None = Field(None, ge=1, le=100)
    doc: str | None = Field(None, max_length=200, description="Only passages from this document id.")
    stage: int | None = Field(None, ge=0, le=100, description="Only passages under roadmap stage N.")
    mode: Literal["dense", "bm25", "hybrid"] | None = None


class Passage(BaseModel):
    """One item of the `tutor retrieve --json` contract."""

    id: str
    score: float
    doc: str
    title: str
    headings: list[str]
    lines: list[int]
    text: str
    links: list[dict[str, str]]


class NextRequest(BaseModel):
    """The arguments of `tutor next`: a stored learner, or ad-hoc known skills / a description."""

    model_config = ConfigDict(extra="forbid")
    learner: str | None = Field(None, max_length=64)
    known: list[str] = Field(default_factory=list, max_length=50, description="Skill numbers or headings.")
    text: str | None = Field(None, max_length=2_000, description="What you know, in words.")
    hours: float | None = Field(None, gt=0, le=24)
    language: Literal["zh", "en"] | None = None


class ProgressUpdate(BaseModel):
    """Fields to change; absent ones stay.  `finished` replaces the set of done skills."""

    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(None, max_length=100)
    hours_per_day: float | None = Field(None, gt=0, le=24)
    goal: str | None = Field(None, max_length=500)
    language: Literal["zh", "en"] | None = None
    finished: list[int] | None = Field(None, max_length=100)


class Readiness(BaseModel):
    ready: bool
    index: dict[str, Any]
    store: dict[str, Any]
    llm: dict[str, Any]


class ErrorDetail(BaseModel):
    message: str
    type: str


class ErrorBody(BaseModel):
    error: ErrorDetail


def _documented(description: str) -> dict[str, Any]:
    return {"model": ErrorBody, "description": description}


#: What every authenticated route may answer besides 200, all in OpenAI's error shape.
ERRORS: dict[int | str, dict[str, Any]] = {
    400: _documented("The tutor refused the input (says why and what to do)."),
    401: _documented("Missing, invalid or revoked API key."),
    403: _documented("A learner's key asked for another learner's data."),
    404: _documented("No such learner (client keys)."),
    413: _documented("Request body over api.max_body_bytes."),
    422: _documented("The request does not match the schema."),
    429: _documented("Rate limit of this key reached; see Retry-After."),
    503: _documented("The index is not available yet."),
}
