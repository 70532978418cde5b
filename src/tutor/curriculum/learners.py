"""The roadmap as a curriculum, and the learners who walk it.

`Roadmap` loads the parsed roadmap, its config and the prerequisite graph on
first use (commands that need none stay fast) and answers the questions the
chain, the UI and the CLI ask of it.  `Learners` keeps profiles, progress and
conversation history together, because every change to one reads the others.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

from tutor.curriculum.graph import CurriculumConfig, Prerequisites, find_skill, load_curriculum_config
from tutor.curriculum.matching import SkillMentions, match_skills
from tutor.curriculum.model import Curriculum
from tutor.curriculum.planner import NextSteps, in_order_first, plan_next
from tutor.curriculum.progress import LearnerProfile, ProgressStore
from tutor.curriculum.quiz import Quiz, QuizResult, QuizStore, build_quiz, grade
from tutor.errors import ConfigError, InputError
from tutor.history import HistoryStore

__all__ = ["Learners", "Roadmap"]


class Roadmap:
    """The parsed roadmap (`curriculum.roadmap`) with its prerequisite graph."""

    def __init__(self, path: Path, config_path: Path, max_bytes: int) -> None:
        self.path = path
        self.config_path = config_path
        self.max_bytes = max_bytes

    @cached_property
    def curriculum(self) -> Curriculum:
        from tutor.curriculum.parser import load_curriculum

        if not self.path.is_file():
            raise ConfigError(
                f"Roadmap {self.path} not found; set curriculum.roadmap (TUTOR_CURRICULUM__ROADMAP)"
            )
        return load_curriculum(self.path, self.max_bytes)

    @cached_property
    def config(self) -> CurriculumConfig:
        return load_curriculum_config(self.config_path)

    @cached_property
    def prerequisites(self) -> Prerequisites:
        return Prerequisites(self.curriculum, self.config)

    def match_skills(self, text: str) -> SkillMentions:
        return match_skills(text, self.curriculum, self.config)

    def graph_steps(
        self, profile: LearnerProfile, limit: int = 3, passed: set[int] | None = None
    ) -> NextSteps:
        """The prerequisite graph's plan alone (gaps first): what the chat names beside the roadmap's next."""
        return plan_next(self.curriculum, self.prerequisites, profile, limit=limit, passed=passed)

    def next_steps(
        self,
        profile: LearnerProfile,
        limit: int = 3,
        passed: set[int] | None = None,
        stated: set[int] | None = None,
        reported: bool = False,
    ) -> NextSteps:
        """What to learn next, led by the skill the roadmap's order puts next: the one function behind the
        chat's next-step answer, `/api/next`, the UI's Progress tab and the CLI, so they never disagree.
        `stated`: the skills the learner named themselves (a skill between two of them is a gap to fill);
        `reported`: they said where they are in this conversation (then a missing earlier prerequisite is named
        beside the roadmap's next rather than put first)."""
        plan = self.graph_steps(profile, limit, passed)
        done = set(profile.finished) | set(passed or ())
        return in_order_first(self.curriculum, self.prerequisites, plan, profile, done, stated, reported)

    def resolve_skills(self, keys: list[str]) -> list[int]:
        """Skill numbers from numbers, '技能点 N' or exact headings; unknown keys are an error."""
        out = []
        for key in keys:
            skill = find_skill(self.curriculum, key)
            if skill is None:
                raise InputError(
                    key,
                    "no such skill in the roadmap; use a number 1-"
                    f"{max(s.number for s in self.curriculum.skills)} or an exact heading",
                )
            out.append(skill.number)
        return out


class Learners:
    """Profiles, progress and conversations of the people using the tutor."""

    def __init__(self, progress: ProgressStore, history: HistoryStore, roadmap: Roadmap) -> None:
        self.progress = progress
        self.history = history
        self.roadmap = roadmap
        self.quizzes = QuizStore(progress.db)  # same database; the learner migrations made the table

    def next_steps(self, learner_id: str, limit: int = 3) -> NextSteps:
        """The planner's advice for a stored learner, counting skills their quizzes suggest as done."""
        profile = self.ensure(learner_id)
        return self.roadmap.next_steps(profile, limit, passed=self.quizzes.suggested_done(learner_id))

    def current_skill(self, learner_id: str) -> int | None:
        """The skill a learner is on: the first of their next steps (None when all are done)."""
        recs = self.next_steps(learner_id, limit=1).recommendations
        return recs[0].skill.number if recs else None

    def quiz(self, learner_id: str, skill: int | None = None) -> Quiz:
        """The self-check quiz of `skill`, by default the learner's current skill."""
        number = skill if skill is not None else self.current_skill(learner_id)
        if number is None:
            raise InputError("--skill", "every skill is done; pick one with --skill N to quiz yourself again")
        return build_quiz(self.roadmap.curriculum, number)

    def take_quiz(self, learner_id: str, quiz: Quiz, responses: dict[str, str | None]) -> QuizResult:
        """Grade and store one attempt; a pass with every criterion met counts as done in the planner."""
        self.ensure(learner_id)
        result = grade(quiz, learner_id, responses)
        self.quizzes.record(result)
        return result

    def ensure(self, learner_id: str, name: str | None = None) -> LearnerProfile:
        """The learner's profile, created on first use (UI first visits, logged-in users)."""
        learner_id = learner_id.strip()
        if not self.progress.exists(learner_id):
            return self.progress.upsert(learner_id, name=name or learner_id)
        return self.progress.get(learner_id)

    def set_finished(self, learner_id: str, finished: list[int]) -> LearnerProfile:
        """Make exactly `finished` the learner's done skills (a checklist's state)."""
        profile = self.ensure(learner_id)
        removed = [n for n in profile.finished if n not in finished]
        added = [n for n in finished if n not in profile.finished]
        if removed:
            self.progress.unmark(learner_id, removed)
        if added:
            self.progress.mark(learner_id, added, "done")
        return self.progress.get(learner_id)

    def mark(self, learner_id: str, skills: list[str], status: str | None) -> LearnerProfile:
        """Set (or with `status=None` clear) the status of skills given as numbers or headings."""
        numbers = self.roadmap.resolve_skills(skills)
        if status is None:
            return self.progress.unmark(learner_id, numbers)
        return self.progress.mark(learner_id, numbers, status)

    def describe(self, learner_id: str, text: str) -> SkillMentions:
        """Apply a free-text self-description: recognised skills done, partial ones in progress."""
        mentions = self.roadmap.match_skills(text)
        if mentions.known:
            self.progress.mark(learner_id, mentions.known, "done")
        if mentions.partial:
            self.progress.mark(learner_id, mentions.partial, "in_progress")
        return mentions

    def profile_for(
        self,
        learner: str | None = None,
        known: list[str] | None = None,
        text: str | None = None,
        hours: float | None = None,
        language: str | None = None,
    ) -> LearnerProfile:
        """A profile from a stored learner or ad-hoc facts (nothing is written)."""
        if learner:
            profile = self.progress.get(learner)
        else:
            profile = LearnerProfile(
                id="adhoc", name="adhoc", finished=self.roadmap.resolve_skills(known or [])
            )
        if text:
            mentions = self.roadmap.match_skills(text)
            profile.finished = sorted(set(profile.finished) | set(mentions.known))
            profile.in_progress = sorted(
                set(profile.in_progress) | set(mentions.partial) - set(profile.finished)
            )
        if hours is not None:
            profile.hours_per_day = hours
        if language:
            profile.language = language
        return profile
