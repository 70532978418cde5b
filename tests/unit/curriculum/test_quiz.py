"""Self-check quizzes from the roadmap: built deterministically, graded, stored, and used by the planner."""

from __future__ import annotations

from pathlib import Path

import pytest

from tutor.config import config_dir
from tutor.curriculum.learners import Learners, Roadmap
from tutor.curriculum.progress import LearnerProfile, ProgressStore
from tutor.curriculum.quiz import MET, NOT_YET, build_quiz, grade, normalise_type, study_lines
from tutor.errors import InputError
from tutor.history import HistoryStore

ROADMAP = Path(__file__).resolve().parents[3] / "corpus" / "ai-learning-roadmap.md"


@pytest.fixture(scope="module")
def roadmap() -> Roadmap:
    return Roadmap(ROADMAP, config_dir() / "curriculum.yaml", 10_000_000)


@pytest.fixture
def learners(roadmap: Roadmap, tmp_path: Path) -> Learners:
    progress = ProgressStore(tmp_path / "learners.sqlite")
    return Learners(progress, HistoryStore(progress), roadmap)


def _right(quiz, met: bool = True) -> dict[str, str | None]:
    return {q.id: (q.answer if q.kind != "self" else (MET if met else NOT_YET)) for q in quiz.questions}


def test_every_skill_gets_a_cited_quiz_with_an_answer_key(roadmap: Roadmap) -> None:
    curriculum = roadmap.curriculum
    for skill in curriculum.skills:
        quiz = build_quiz(curriculum, skill.number)
        assert quiz == build_quiz(curriculum, skill.number)  # deterministic
        graded = [q for q in quiz.questions if q.kind != "self"]
        assert len(graded) >= 3, skill.heading
        for q in graded:
            assert q.answer in q.options and len(set(q.options)) == len(q.options) >= 2
        selfs = [q for q in quiz.questions if q.kind == "self"]
        assert [q.prompt.split("：", 1)[1] for q in selfs] == skill.checks
        for q in quiz.questions:  # each question cites roadmap lines of its skill or its stage
            assert q.citation.doc == curriculum.doc and q.citation.lines[0] <= q.citation.lines[1]


def test_belongs_question_has_exactly_one_option_from_the_skill(roadmap: Roadmap) -> None:
    quiz = build_quiz(roadmap.curriculum, 7)
    q = next(q for q in quiz.questions if q.kind == "belongs")
    own = {i for g in roadmap.curriculum.skill(7).content for i in g.items}
    assert [o for o in q.options if o in own] == [q.answer]


def test_grading_pass_and_criteria(roadmap: Roadmap) -> None:
    quiz = build_quiz(roadmap.curriculum, 1)
    best = grade(quiz, "amy", _right(quiz))
    assert best.score == 1.0 and best.passed and best.criteria_met and best.suggest_done
    unmet = grade(quiz, "amy", _right(quiz, met=False))
    assert unmet.passed and not unmet.criteria_met and not unmet.suggest_done
    assert unmet.unmet == roadmap.curriculum.skill(1).checks
    wrong = {**_right(quiz), "belongs": "nonsense", "order": None}
    failed = grade(quiz, "amy", wrong)
    assert not failed.passed and not failed.suggest_done and len(failed.wrong) == 2


def test_unknown_skill_is_a_clear_error(roadmap: Roadmap) -> None:
    with pytest.raises(InputError, match="no such skill"):
        build_quiz(roadmap.curriculum, 99)


def test_a_passed_quiz_moves_what_next_on(learners: Learners) -> None:
    learners.set_finished("amy", [1, 2])
    assert learners.current_skill("amy") == 3
    quiz = learners.quiz("amy")
    assert quiz.skill == 3
    learners.take_quiz("amy", quiz, _right(quiz, met=False))  # criteria not met: still skill 3
    assert learners.current_skill("amy") == 3
    result = learners.take_quiz("amy", quiz, _right(quiz))
    assert result.suggest_done and learners.quizzes.suggested_done("amy") == {3}
    plan = learners.next_steps("amy")
    assert 3 not in [r.skill.number for r in plan.recommendations]
    assert plan.recommendations[0].skill.number == 4 and "Linux" in (plan.note or "")
    assert learners.quizzes.latest("amy")[3].score == 1.0


def test_cards_fill_to_three_with_their_own_reasons(roadmap: Roadmap) -> None:
    plan = roadmap.next_steps(LearnerProfile(id="x", name="x", finished=[1, 2]))
    assert [r.skill.number for r in plan.recommendations] == [3, 4, 5]
    assert [r.kind for r in plan.recommendations] == ["next", "after", "after"]
    first = roadmap.next_steps(LearnerProfile(id="x", name="x"))
    reasons = [r.reason for r in first.recommendations]
    assert len(reasons) == 3 and len(set(reasons)) == 3
    assert all(roadmap.curriculum.skill(r.skill.number).checks[0] in r.reason for r in first.recommendations)


def test_study_lines_turn_code_comments_into_labels(roadmap: Roadmap) -> None:
    lines = study_lines(roadmap.curriculum.skill(3))
    assert not any(line.lstrip().startswith("#") for line in lines)
    assert "文件操作：cd, ls, mkdir, rm, cp, mv" in lines


@pytest.mark.parametrize(
    ("raw", "label"),
    [
        ("视频+书籍", "视频 Video"),
        ("在线课程", "课程 Course"),
        ("书籍/网站", "书籍 Book"),
        ("论文解读", "论文 Paper"),
        ("", ""),
    ],
)
def test_resource_types_normalise_to_a_small_set(raw: str, label: str) -> None:
    assert normalise_type(raw) == label
