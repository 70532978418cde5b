from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from tutor.config import load_settings
from tutor.curriculum.progress import LearnerProfile, ProgressStore
from tutor.errors import ProgressError
from tutor.services import build_services


@pytest.fixture(scope="module")
def svc():
    return build_services(load_settings())


def test_store_is_wal_versioned_and_round_trips(tmp_path: Path) -> None:
    store = ProgressStore(tmp_path / "learners.sqlite")
    assert store.schema_version == "l0002"  # l0001 = the old schema v3, l0002 adds the API keys
    with sqlite3.connect(tmp_path / "learners.sqlite") as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    store.upsert("amy", name="Amy", hours_per_day=3, goal="做 RAG 应用", language="zh")
    store.mark("amy", [1, 2])
    store.mark("amy", [4], "in_progress")
    profile = ProgressStore(tmp_path / "learners.sqlite").get("amy")  # a fresh connection reads it back
    assert profile == LearnerProfile(
        id="amy",
        name="Amy",
        finished=[1, 2],
        in_progress=[4],
        hours_per_day=3,
        goal="做 RAG 应用",
        language="zh",
    )
    store.unmark("amy", [2])
    store.upsert("amy", hours_per_day=1.5)
    again = store.get("amy")
    assert again.finished == [1] and again.hours_per_day == 1.5 and again.goal == "做 RAG 应用"


def test_store_errors_are_actionable(tmp_path: Path) -> None:
    store = ProgressStore(tmp_path / "l.sqlite")
    with pytest.raises(ProgressError, match="tutor progress set --learner ghost"):
        store.get("ghost")
    with pytest.raises(ProgressError, match="between 0 and 24"):
        store.upsert("x", hours_per_day=30)
    with sqlite3.connect(tmp_path / "l.sqlite") as conn:
        conn.execute("PRAGMA user_version=99")
    with pytest.raises(ProgressError, match="newer than this tutor"):
        ProgressStore(tmp_path / "l.sqlite")


def test_concurrent_writers_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite"
    ProgressStore(path).upsert("shared")
    errors: list[BaseException] = []

    def worker(skill: int) -> None:
        try:
            store = ProgressStore(path)
            for _ in range(10):
                store.mark("shared", [skill])
                store.upsert(f"learner-{skill}", hours_per_day=skill)
        except BaseException as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(1, 13)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    store = ProgressStore(path)
    assert store.get("shared").finished == list(range(1, 13))
    assert len(store.list()) == 13


@pytest.mark.parametrize(
    ("text", "known", "partial", "not_known", "unknown"),
    [
        ("我学过 Python 和一点线性代数", [1], [2], [], []),
        ("I know PyTorch but not transformers", [7], [], [8], []),
        ("我会 Python、Git，还懂一点机器学习，不会深度学习", [1, 3], [4], [5], []),
        ("I've used Kubernetes and LangChian", [12], [], [], ["Kubernetes"]),
    ],
)
def test_free_text_maps_to_skills(svc, text, known, partial, not_known, unknown) -> None:
    m = svc.match_skills(text)
    assert (m.known, m.partial, m.not_known, m.unknown_terms) == (known, partial, not_known, unknown)


def test_planner_beginner_gap_and_finished(svc) -> None:
    plan = svc.next_steps(LearnerProfile(id="a", name="a"))
    assert [r.skill.number for r in plan.recommendations] == [1, 2, 3]
    gap = svc.next_steps(LearnerProfile(id="a", name="a", finished=[1, 2, 3, 5]))
    first = gap.recommendations[0]
    assert first.skill.number == 4 and first.kind == "gap" and "技能点 5" in first.reason
    done = svc.next_steps(LearnerProfile(id="a", name="a", finished=list(range(1, 19))))
    assert done.finished_all and not done.recommendations
    assert {c.heading for c in done.beyond} >= {"3 个月后", "12 个月后", "2. 项目驱动学习"}


def test_recommendation_contract(svc) -> None:
    rec = svc.next_steps(
        LearnerProfile(id="a", name="a", finished=[1, 2, 3], hours_per_day=4, language="en")
    ).to_json()["recommendations"][0]
    assert set(rec) >= {
        "skill",
        "reason",
        "study",
        "resources",
        "project",
        "done_when",
        "estimate",
        "citations",
    }
    assert rec["skill"] == {
        "number": 4,
        "heading": "技能点 4：机器学习基础 ⭐⭐⭐⭐⭐",
        "name": "机器学习基础",
    }
    assert (
        rec["resources"][0]["name"] == "Andrew Ng - Machine Learning"
    )  # English first for an English learner
    assert 2 <= len(rec["resources"]) <= 3 and rec["project"] == "房价预测（线性回归）"
    assert rec["done_when"][1] == "能用 Scikit-learn 训练模型"
    assert "约 6 周" in rec["estimate"] and "每天 4 小时" in rec["estimate"]
    assert rec["citations"][0]["lines"] == [217, 255]


def test_a_plan_cites_each_recommended_skill_once_with_the_section_that_holds_what_it_quotes(svc) -> None:
    from tutor.chain.replies import plan_sources, render_plan

    plan = svc.next_steps(LearnerProfile(id="a", name="a", finished=[1, 2, 3]))
    sources, numbers = plan_sources(plan, svc.curriculum, svc.settings.curriculum.roadmap)
    assert len(sources) == len(plan.recommendations)  # one per skill, not its sub-sections again
    text = render_plan(plan, numbers, "zh", [])
    top, cited = plan.recommendations[0], [s for s in sources if f"[{s.n}]" in text]
    assert [s.lines for s in cited] == [list(svc.curriculum.skill(top.skill.number).citation.lines)]
    for quoted in [*top.study, *top.done_when, *(r.name for r in top.resources)]:
        assert quoted.split("：")[-1].split("、")[0] in cited[0].text
