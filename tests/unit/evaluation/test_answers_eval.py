"""Scoring one answer against its case (pure: no chain, no index)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tutor.chain.answer import Answer, Source
from tutor.errors import EvalDatasetError
from tutor.evaluation.answers import AnswerCase, AnswerReport, fact_norm, load_answer_set, score_answer


def _answer(
    text: str, route: str = "material", refused: bool = False, sources: list[Source] | None = None
) -> Answer:
    return Answer(
        question="q",
        standalone_question="q",
        language="zh",
        route=route,
        route_reason="",
        text=text,
        refused=refused,
        sources=sources or [],
    )


def _src(n: int, text: str, cited: bool = True, headings: list[str] | None = None) -> Source:
    return Source(
        n=n,
        id=str(n),
        doc="ai-learning-roadmap",
        title="t",
        headings=headings or ["检验标准"],
        text=text,
        cited=cited,
    )


def test_fact_norm_ignores_width_case_whitespace_and_emphasis() -> None:
    assert fact_norm("**Milvus**：开源 向量数据库") == fact_norm("milvus:开源向量数据库")
    assert "realpython" in fact_norm("[Real Python](https://realpython.com/)")


def test_all_facts_cited_and_precise() -> None:
    case = AnswerCase(
        id="a",
        question="q",
        must_contain=["理解面向对象编程", "Pandas"],
        gold=[{"doc": "ai-learning-roadmap", "section": "检验标准"}],
        list_complete=True,
    )
    src = _src(1, "- ✅ 理解面向对象编程\n- ✅ 熟练使用 NumPy 和 Pandas")
    other = _src(2, "无关的段落", headings=["别处"])
    r = score_answer(
        case,
        _answer("- 理解面向对象编程 [1]\n- 熟练使用 numpy 和 pandas [1]\n- 别的 [2]", sources=[src, other]),
        0.1,
    )
    assert r.all_facts and r.facts_cited and r.cited_ok == [True, False] and r.passed


def test_a_fact_in_the_cited_passages_heading_is_cited() -> None:
    """An outline cites each step's passage for its title, which is the passage's heading."""
    case = AnswerCase(id="s", question="q", must_contain=["技术栈升级", "时间管理"], gold=[])
    step1 = _src(1, "- 选择新技能：选一门新语言。", headings=["3.2 算法步骤详解", "步骤1：技术栈升级"])
    step4 = _src(2, "- 使用GTD方法：把任务分解。", headings=["3.2 算法步骤详解", "步骤4：时间管理"])
    text = "- **技术栈升级**：选择新技能：选一门新语言。 [1]\n- **时间管理**：使用GTD方法：把任务分解。 [2]"
    r = score_answer(case, _answer(text, sources=[step1, step4]), 0.1)
    assert r.facts_cited and r.cited_ok == [True, True] and r.passed
    elsewhere = _src(1, "- 选择新技能：选一门新语言。", headings=["别处"])
    assert not score_answer(case, _answer(text, sources=[elsewhere, step4]), 0.1).facts_cited


def test_a_cited_passage_is_precise_only_for_a_fact_the_answer_states() -> None:
    """Holding a needed fact the answer leaves out supports nothing the learner reads."""
    case = AnswerCase(id="p", question="q", must_contain=["线性代数", "技能点 2"], gold=[])
    holds = _src(1, "- 线性代数：矩阵运算\n- 技能点 2：数学基础", headings=["阶段 0"])
    stated = score_answer(case, _answer("线性代数 [1]", sources=[holds]), 0.1)
    assert stated.cited_ok == [True]
    unstated = score_answer(case, _answer("先学 Python [1]", sources=[holds]), 0.1)
    assert unstated.cited_ok == [False] and not unstated.all_facts
    in_gold = AnswerCase(
        id="g", question="q", must_contain=["线性代数"], gold=[{"doc": "ai-learning-roadmap"}]
    )
    assert score_answer(in_gold, _answer("先学 Python [1]", sources=[holds]), 0.1).cited_ok == [True]


def test_missing_fact_forbidden_text_and_misroute_fail() -> None:
    case = AnswerCase(
        id="b", question="q", must_contain=["Milvus"], must_not_contain=["技能点 15"], route="material"
    )
    r = score_answer(case, _answer("Chroma 技能点 15", route="chitchat"), 0.1)
    assert (
        not r.all_facts
        and r.forbidden_found == ["技能点 15"]
        and not r.route_ok
        and r.refused
        and not r.passed
    )


def test_refusal_cases() -> None:
    case = AnswerCase(id="c", question="q", refuse=True, route="decline")
    assert score_answer(case, _answer("sorry", route="decline"), 0.1).passed
    assert not score_answer(case, _answer("here you go", route="material"), 0.1).passed
    report = AnswerReport(
        dataset="x",
        backend="none",
        results=[
            score_answer(case, _answer("sorry", route="decline"), 0.1),
            score_answer(
                AnswerCase(id="d", question="q", must_contain=["x"]), _answer("refused", refused=True), 0.2
            ),
        ],
    )
    summary = report.to_json()
    assert summary["refusal"] == 1.0 and summary["false_refusal"] == 1.0 and summary["fact_coverage"] == 0.0


def test_dataset_errors_name_the_line(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_text(json.dumps({"id": "x", "question": "q", "route": "elsewhere"}) + "\n", encoding="utf-8")
    with pytest.raises(EvalDatasetError, match=r"a.jsonl:1: route 'elsewhere'"):
        load_answer_set(path)
    path.write_text("{not json\n", encoding="utf-8")
    with pytest.raises(EvalDatasetError, match=r"a.jsonl:1: not valid JSON"):
        load_answer_set(path)
