"""Deprecated names kept importable: `Services` is now `tutor.app.App`, `build_services` is `tutor.app.build`.

New code takes its collaborators in its constructor (see README "Architecture"); the
methods below only forward, so older callers and tests keep working.
"""

from __future__ import annotations

from collections.abc import Callable

from tutor.app import App, RetrievedPassage
from tutor.config import Settings
from tutor.curriculum.matching import SkillMentions
from tutor.curriculum.model import Curriculum
from tutor.curriculum.planner import NextSteps
from tutor.curriculum.progress import LearnerProfile, ProgressStore
from tutor.history import HistoryStore
from tutor.index.embeddings import TutorEmbeddings
from tutor.index.manifest import Manifest
from tutor.index.store import ChromaStore

__all__ = ["RetrievedPassage", "Services", "build_services"]


class Services(App):
    """`App` with the pre-composition-root accessors."""

    @property
    def store(self) -> ChromaStore:
        return self.index.store

    @property
    def model_id(self) -> str:
        return self.index.model_id

    def manifest(self) -> Manifest:
        return self.index.manifest()

    def bm25_is_current(self) -> bool:
        return self.index.bm25_is_current()

    @property
    def curriculum(self) -> Curriculum:
        return self.roadmap.curriculum

    @property
    def progress(self) -> ProgressStore:
        return self.learners.progress

    @property
    def history(self) -> HistoryStore:
        return self.learners.history

    def ensure_learner(self, learner_id: str, name: str | None = None) -> LearnerProfile:
        return self.learners.ensure(learner_id, name)

    def set_finished(self, learner_id: str, finished: list[int]) -> LearnerProfile:
        return self.learners.set_finished(learner_id, finished)

    def describe_learner(self, learner_id: str, text: str) -> SkillMentions:
        return self.learners.describe(learner_id, text)

    @property
    def profile_for(self) -> Callable[..., LearnerProfile]:
        """`Learners.profile_for` (learner, known, text, hours, language)."""
        return self.learners.profile_for

    def match_skills(self, text: str) -> SkillMentions:
        return self.roadmap.match_skills(text)

    def next_steps(self, profile: LearnerProfile, limit: int = 3) -> NextSteps:
        return self.roadmap.next_steps(profile, limit)

    def resolve_skills(self, keys: list[str]) -> list[int]:
        return self.roadmap.resolve_skills(keys)


def build_services(settings: Settings, embedder: TutorEmbeddings | None = None) -> Services:
    return Services(settings, embedder=embedder)
