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


def _run(*args: str) -> str:
    result = runner.invoke(app, list(args))
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
    assert [r["skill"]["number"] for r in plan["recommendations"]] == [4]
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
