"""What the chain returns: the answer text plus everything a UI or a script needs around it."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, Literal

from pydantic import BaseModel, Field

__all__ = ["Answer", "AnswerEvent", "AnswerStream", "CitationCheck", "Source"]


class Source(BaseModel):
    """One numbered passage the answer may cite as [n]."""

    n: int
    id: str
    doc: str
    title: str
    headings: list[str] = Field(default_factory=list)
    lines: list[int] = Field(default_factory=list)
    link: str | None = None
    score: float | None = Field(None, description="Dense similarity to the question (relevance), 0-1.")
    text: str = ""
    cited: bool = False

    @property
    def label(self) -> str:
        path = " › ".join([self.title, *[h for h in self.headings if h != self.title]][:4])
        lines = f" (L{self.lines[0]}–{self.lines[1]})" if len(self.lines) == 2 else ""
        return f"{path}{lines}"


class CitationCheck(BaseModel):
    """The verdict on one [n] attached to one sentence."""

    sentence: str
    cited: int
    similarity: float | None
    overlap: float
    supported: bool
    action: Literal["kept", "moved", "dropped"]
    moved_to: int | None = None


class Answer(BaseModel):
    question: str
    standalone_question: str
    language: Literal["zh", "en"]
    route: Literal["next_step", "material", "chitchat"]
    route_reason: str
    text: str
    sources: list[Source] = Field(default_factory=list)
    citation_checks: list[CitationCheck] = Field(default_factory=list)
    removed_citations: list[int] = Field(default_factory=list, description="[n] that pointed to no passage.")
    refused: bool = False
    weak: bool = False
    relevance: float | None = None
    backend: str = "extractive"
    notice: str | None = None
    next_step: str | None = None
    followups: list[str] = Field(default_factory=list)
    recommendations: dict[str, Any] | None = None
    timings: dict[str, float] = Field(default_factory=dict)

    @property
    def cited_sources(self) -> list[Source]:
        return [s for s in self.sources if s.cited]

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


class AnswerEvent(BaseModel):
    """One item of a streamed answer: text as it is produced, then the final Answer."""

    kind: Literal["status", "token", "answer"]
    text: str = ""
    answer: Answer | None = None


class AnswerStream:
    """The one consumer of a streamed answer: the text so far and, at the end, the checked Answer.

    Iterating yields the token events (with `text` already updated) and the "reset" status
    (with `text` emptied: the model failed mid-answer and a retrieval-only answer follows).
    """

    def __init__(self, events: Iterable[AnswerEvent]) -> None:
        self._events = events
        self.text = ""
        self.answer: Answer | None = None

    def __iter__(self) -> Iterator[AnswerEvent]:
        for event in self._events:
            if event.kind == "token":
                self.text += event.text
                yield event
            elif event.kind == "status" and event.text == "reset":
                self.text = ""
                yield event
            elif event.kind == "answer":
                self.answer = event.answer

    def final(self) -> Answer:
        """Consume what is left and return the complete answer."""
        for _ in self:
            pass
        assert self.answer is not None, "the chain ends every stream with an answer event"
        return self.answer
