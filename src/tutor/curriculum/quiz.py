"""Self-check quizzes built from the roadmap itself: a skill's content bullets, resources and 检验标准.

Deterministic (seeded by the skill number), so the CLI, the UI and the tests see the same quiz
and no model is needed.  Every question cites the roadmap lines it was built from.  Knowledge
questions are graded; the self-rating questions (one per criterion) are the learner's own
judgement.  A skill is *suggested as done* when the knowledge score passes and every criterion
is rated met; the planner then treats it as done.
"""

from __future__ import annotations

import json
import random
import re
from typing import Literal

from pydantic import BaseModel, Field
from sqlalchemy import insert, select

from tutor.curriculum.model import Citation, Curriculum, Skill
from tutor.errors import InputError, ProgressError
from tutor.state.db import Database
from tutor.state.schema import quiz_results
from tutor.timeutil import utc_now

__all__ = [
    "MET",
    "NOT_YET",
    "PASS_SCORE",
    "Question",
    "Quiz",
    "QuizResult",
    "QuizStore",
    "build_quiz",
    "grade",
    "normalise_type",
    "study_lines",
]

PASS_SCORE = 0.75  # share of knowledge questions right
MET = "已达到 met"
NOT_YET = "还没有 not yet"
_COMMENT = re.compile(r"^\s*#+\s*")

# Near-duplicate resource types and languages of the roadmap's tables -> a small set for filters and quizzes
_TYPES = [
    ("论文解读", "论文 Paper"),
    ("论文", "论文 Paper"),
    ("视频", "视频 Video"),
    ("课程", "课程 Course"),
    ("书", "书籍 Book"),
    ("教程", "教程 Tutorial"),
    ("文档", "文档 Docs"),
    ("博客", "博客 Blog"),
    ("框架", "代码 Code"),
    ("示例", "代码 Code"),
    ("代码", "代码 Code"),
    ("网站", "网站 Website"),
]


def normalise_type(kind: str | None) -> str:
    """One of a few resource types ('视频+书籍' -> '视频 Video', '在线课程' -> '课程 Course')."""
    text = kind or ""
    for key, label in _TYPES:
        if key in text:
            return label
    return "其他 Other" if text else ""


def study_lines(skill: Skill) -> list[str]:
    """A skill's content as study lines: code-block comments ('# 文件操作') become the label of the
    commands that follow them instead of being shown as bullets of their own."""
    lines: list[str] = []
    for group in skill.content:
        label: str | None = group.title
        pending: list[str] = []
        out: list[tuple[str | None, list[str]]] = []
        for item in group.items:
            if _COMMENT.match(item):
                if pending:
                    out.append((label, pending))
                label, pending = _COMMENT.sub("", item).strip(), []
            else:
                pending.append(item)
        if pending:
            out.append((label, pending))
        lines += [f"{t}：{'、'.join(items)}" if t else "、".join(items) for t, items in out]
    return lines


def _bullets(skill: Skill) -> list[str]:
    """Content bullets worth asking about (no URLs, no code comments, no 'why it matters' notes)."""
    return [
        item
        for group in skill.content
        for item in group.items
        if not _COMMENT.match(item) and "http" not in item and not item.startswith("为什么重要")
    ]


class Question(BaseModel):
    id: str
    kind: Literal["belongs", "order", "match", "cloze", "self"]
    prompt: str
    options: list[str]
    answer: str | None = None  # None for self-rating: the learner's judgement is the answer
    citation: Citation


class Quiz(BaseModel):
    skill: int
    heading: str
    questions: list[Question] = Field(default_factory=list)

    def to_json(self) -> dict[str, object]:
        return self.model_dump(mode="json")


class QuizResult(BaseModel):
    learner: str
    skill: int
    score: float
    passed: bool
    criteria_met: bool
    suggest_done: bool
    wrong: list[str] = Field(default_factory=list)  # prompts answered wrongly, to review
    unmet: list[str] = Field(default_factory=list)  # criteria not yet met


def _options(rng: random.Random, right: str, pool: list[str], n: int = 4) -> list[str]:
    others = sorted({p for p in pool if p != right})
    options = [right, *rng.sample(others, min(n - 1, len(others)))]
    rng.shuffle(options)
    return options


def _belongs(curriculum: Curriculum, skill: Skill, rng: random.Random) -> Question | None:
    own = _bullets(skill)
    foreign = [b for s in curriculum.skills if s.stage != skill.stage for b in _bullets(s)]
    if not own or len(foreign) < 3:
        return None
    right = rng.choice(own)
    return Question(
        id="belongs",
        kind="belongs",
        prompt=f"以下哪一项属于技能点 {skill.number}（{skill.name}）的核心内容？ / Which belongs to this skill?",
        options=_options(rng, right, foreign),
        answer=right,
        citation=skill.citation,
    )


def _order(curriculum: Curriculum, skill: Skill, rng: random.Random) -> Question | None:
    titles = [g.title for g in skill.content if g.title]
    if len(titles) >= 3:
        steps, what, cite = titles[:4], f"技能点 {skill.number} 的学习内容", skill.citation
    else:
        stage = curriculum.stage(skill.stage)
        steps = [curriculum.skill(n).name for n in stage.skills][:4]
        what, cite = stage.heading.split("（")[0] + " 的技能点", stage.citation
    if len(steps) < 3:
        return None
    right = " → ".join(steps)
    shuffles: set[str] = set()
    for _ in range(30):
        if len(shuffles) >= 3:
            break
        other = rng.sample(steps, len(steps))
        if other != steps:
            shuffles.add(" → ".join(other))
    options = [right, *sorted(shuffles)]
    rng.shuffle(options)
    return Question(
        id="order",
        kind="order",
        prompt=f"路线图里{what}按什么顺序排列？ / Put the steps in the roadmap's order.",
        options=options,
        answer=right,
        citation=cite,
    )


def _match(skill: Skill, rng: random.Random) -> Question | None:
    typed = [r for r in skill.resources if normalise_type(r.type)]
    if not typed:
        return None
    res = rng.choice(typed)
    right = normalise_type(res.type)
    pool = sorted({label for _, label in _TYPES})
    cite = skill.section_citations.get(next(iter(skill.section_citations), ""), skill.citation)
    return Question(
        id="match",
        kind="match",
        prompt=f"资源《{res.name}》是哪一类？ / What kind of resource is “{res.name}”?",
        options=_options(rng, right, pool),
        answer=right,
        citation=cite,
    )


def _cloze(curriculum: Curriculum, skill: Skill, rng: random.Random) -> Question | None:
    groups = [g for g in skill.content if len(g.items) >= 3 and not any(_COMMENT.match(i) for i in g.items)]
    if not groups:
        return None
    group = rng.choice(groups)
    items = [i for i in group.items if "http" not in i and not i.startswith("为什么重要")]
    if len(items) < 3:
        return None
    k = rng.randrange(len(items))
    shown = "、".join("____" if i == k else item for i, item in enumerate(items))
    foreign = [b for s in curriculum.skills if s.number != skill.number for b in _bullets(s)]
    return Question(
        id="cloze",
        kind="cloze",
        prompt=f"填空（{group.title or skill.name}）：{shown}",
        options=_options(rng, items[k], foreign),
        answer=items[k],
        citation=skill.citation,
    )


def build_quiz(curriculum: Curriculum, skill_number: int) -> Quiz:
    """The quiz of one skill: up to four graded questions, then one self-rating per criterion."""
    try:
        skill = curriculum.skill(skill_number)
    except KeyError:
        raise InputError(
            skill_number, f"no such skill; use 1-{max(s.number for s in curriculum.skills)}"
        ) from None
    rng = random.Random(skill.number)
    questions: list[Question] = []
    for q in (
        _belongs(curriculum, skill, rng),
        _order(curriculum, skill, rng),
        _match(skill, rng),
        _cloze(curriculum, skill, rng),
    ):
        if q is not None:
            questions.append(q)
    check_cite = skill.section_citations.get(
        next((t for t in skill.section_citations if "检验" in t), ""), skill.citation
    )
    for i, criterion in enumerate(skill.checks, 1):
        questions.append(
            Question(
                id=f"self-{i}",
                kind="self",
                prompt=f"自评 Self-check：{criterion}",
                options=[MET, NOT_YET],
                citation=check_cite,
            )
        )
    return Quiz(skill=skill.number, heading=skill.heading, questions=questions)


def grade(quiz: Quiz, learner: str, responses: dict[str, str | None]) -> QuizResult:
    """Score the graded questions; criteria count as met only when rated MET.  Unanswered = wrong."""
    graded = [q for q in quiz.questions if q.kind != "self"]
    wrong = [q.prompt for q in graded if responses.get(q.id) != q.answer]
    unmet = [
        q.prompt.split("：", 1)[-1] for q in quiz.questions if q.kind == "self" and responses.get(q.id) != MET
    ]
    score = (len(graded) - len(wrong)) / len(graded) if graded else 1.0
    passed = score >= PASS_SCORE
    return QuizResult(
        learner=learner,
        skill=quiz.skill,
        score=round(score, 3),
        passed=passed,
        criteria_met=not unmet,
        suggest_done=passed and not unmet,
        wrong=wrong,
        unmet=unmet,
    )


class QuizStore:
    """Quiz results in the learner database (`quiz_results`, created by the learner migrations)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def record(self, result: QuizResult) -> None:
        row = {
            "learner_id": result.learner,
            "skill": result.skill,
            "score": result.score,
            "passed": int(result.passed),
            "criteria_met": int(result.criteria_met),
            "detail": json.dumps({"wrong": result.wrong, "unmet": result.unmet}, ensure_ascii=False),
            "taken_at": utc_now(),
        }
        try:
            with self.db.write() as conn:
                conn.execute(insert(quiz_results).values(row))
        except ProgressError as exc:
            raise ProgressError(f"Cannot store the quiz result for '{result.learner}': {exc}") from exc

    def latest(self, learner: str) -> dict[int, QuizResult]:
        """Each skill's most recent result for this learner."""
        q = quiz_results.c
        with self.db.read() as conn:
            rows = conn.execute(
                select(q.skill, q.score, q.passed, q.criteria_met, q.detail)
                .where(q.learner_id == learner)
                .order_by(q.id)
            ).all()
        out: dict[int, QuizResult] = {}
        for skill, score, passed, met, detail in rows:
            extra = json.loads(detail)
            out[skill] = QuizResult(
                learner=learner,
                skill=skill,
                score=score,
                passed=bool(passed),
                criteria_met=bool(met),
                suggest_done=bool(passed and met),
                wrong=extra.get("wrong", []),
                unmet=extra.get("unmet", []),
            )
        return out

    def suggested_done(self, learner: str) -> set[int]:
        return {n for n, r in self.latest(learner).items() if r.suggest_done}
