"""The curriculum, progress and next-step commands as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tutor.cli import app

pytestmark = pytest.mark.integration
REPO = Path(__file__).resolve().parents[2]
runner = CliRunner()


def _run(*args: str, input: str | None = None) -> str:
    result = runner.invoke(app, list(args), input=input)
    assert result.exit_code == 0, result.output
    return result.output


def test_next_known_prints_the_stage_1_skill_readably() -> None:
    out = _run("next", "--known", "1,2,3")
    for expected in (
        "技能点 4：机器学习基础",
        "Why:",
        "李宏毅机器学习",
        "Project:",
        "房价预测",
        "Done when:",
        "能用 Scikit-learn 训练模型",
        "Estimate:",
        "约 11 周",
        "L217-255",
    ):
        assert expected in out, expected


def test_next_json_contract_and_free_text() -> None:
    plan = json.loads(
        _run("next", "--text", "I know Python, math, Linux and Git", "--json", "--language", "en")
    )
    rec = plan["recommendations"][0]
    assert rec["skill"]["number"] == 4 and rec["resources"][0]["lang"] == "英文"
    plan = json.loads(_run("next", "--text", "I know PyTorch but not transformers, and Kubernetes", "--json"))
    assert plan["self_description"]["known"] == [7] and plan["self_description"]["not_known"] == [8]
    assert plan["self_description"]["unknown_terms"] == ["Kubernetes"]
    out = _run("next", "--text", "我学过 Python 和一点线性代数")
    assert "recognised as done: 1. Python 编程" in out and "in progress: 2. 数学基础" in out


def test_progress_commands_share_one_store() -> None:
    _run("progress", "set", "--learner", "bo", "--name", "Bo", "--hours", "1", "--known", "学过 Python")
    _run("progress", "mark", "--learner", "bo", "2", "技能点 3：Linux 和 Git ⭐⭐⭐")
    out = _run("progress", "show", "--learner", "bo")
    assert "3/3" in out and "Bo (bo)" in out
    plan = json.loads(_run("next", "--learner", "bo", "--json"))
    assert [(r["skill"]["number"], r["kind"]) for r in plan["recommendations"]] == [
        (4, "next"),
        (5, "after"),  # 1-3 cards: what opens once skill 4 is done fills the rest
        (6, "after"),
    ]
    _run("progress", "unmark", "--learner", "bo", "3")
    plan = json.loads(_run("next", "--learner", "bo", "--json"))
    assert plan["recommendations"][0]["skill"]["number"] == 3
    bad = runner.invoke(app, ["progress", "mark", "--learner", "bo", "99"])
    assert bad.exit_code == 2 and "no such skill" in bad.output


def test_curriculum_show_and_resources_filters() -> None:
    data = json.loads(_run("curriculum", "show", "--json"))
    assert len(data["stages"]) == 6 and len(data["skills"]) == 18
    rows = json.loads(
        _run("curriculum", "resources", "--skill", "5", "--lang", "中文", "--type", "书籍", "--json")
    )
    assert [r["name"] for r in rows] == [
        "动手学深度学习（李沐）",
        "邱锡鹏《神经网络与深度学习》",
        "深度学习（花书）",
    ]


def test_planner_eval_is_perfect_on_our_set() -> None:
    payload = json.loads(
        _run("eval", "next-step", "--dataset", str(REPO / "eval" / "next_step.jsonl"), "--json")
    )
    assert payload["n"] >= 30
    assert payload["top1_accuracy"] == 1.0 and payload["acceptable@3"] == 1.0, payload["failures"]


def test_quiz_in_the_terminal_moves_next_on() -> None:
    _run("progress", "set", "--learner", "amy", "--name", "Amy")
    _run("progress", "mark", "--learner", "amy", "1", "2")
    quiz = json.loads(_run("quiz", "--learner", "amy", "--json"))
    assert quiz["skill"] == 3 and all(q["citation"]["lines"] for q in quiz["questions"])
    # the learner types each right option's number; "2" (not yet) on the first criterion
    typed = [
        str(q["options"].index(q["answer"]) + 1)
        if q["kind"] != "self"
        else ("2" if q["id"] == "self-1" else "1")
        for q in quiz["questions"]
    ]
    out = _run("quiz", "--learner", "amy", input="\n".join(typed) + "\n")
    assert "score 100%" in out and "criteria not yet met" in out and "能在 Linux 下流畅工作" in out
    assert (
        json.loads(_run("next", "--learner", "amy", "--json"))["recommendations"][0]["skill"]["number"] == 3
    )
    typed = [
        str(q["options"].index(q["answer"]) + 1) if q["kind"] != "self" else "1" for q in quiz["questions"]
    ]
    out = _run("quiz", "--learner", "amy", "--skill", "3", input="x\n" + "\n".join(typed) + "\n")
    assert "type a number from 1 to" in out and "suggested as done" in out
    plan = json.loads(_run("next", "--learner", "amy", "--json"))
    assert plan["recommendations"][0]["skill"]["number"] == 4 and "Linux" in plan["note"]


def test_quiz_defaults_to_the_ui_learner_and_refuses_unknown_skills() -> None:
    quiz = json.loads(_run("quiz", "--json"))  # no --learner: ui.default_learner, created on first use
    assert quiz["skill"] == 1
    bad = runner.invoke(app, ["quiz", "--skill", "99"])
    assert bad.exit_code == 2 and "no skill 99" in bad.output
