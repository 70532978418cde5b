"""The failure classes of the answer eval, read from a report's per-case records (pure)."""

from __future__ import annotations

import json
from pathlib import Path

from tutor.chain.answer import Answer, Source
from tutor.evaluation.answers import AnswerCase, score_answer
from tutor.evaluation.answers_diagnosis import classify, diagnose

_LIST = "**缺点**：\n- 学习压力大\n- 资源限制\n- 效果慢"
_CASE = AnswerCase(
    id="x",
    question="有什么缺点？",
    must_contain=["学习压力大", "效果慢"],
    gold=[{"doc": "d", "section": "3.3 算法优缺点"}],
    list_complete=True,
)


def _record(text: str, sources: list[Source], route: str = "material", refused: bool = False) -> dict:
    answer = Answer(
        question="q",
        standalone_question="q",
        language="zh",
        route=route,
        route_reason="",
        text=text,
        sources=sources,
        refused=refused,
    )
    return score_answer(_CASE, answer, 0.1).to_json()


def _src(n: int, text: str, cited: bool, section: str = "3.3 算法优缺点") -> Source:
    return Source(n=n, id=str(n), doc="d", title="t", headings=[section], text=text, cited=cited)


def test_not_retrieved_other_passage_and_cut() -> None:
    other = _src(1, "- 提升竞争力", cited=True, section="别处")
    assert classify(_record("- 提升竞争力 [1]", [other]))[0] == "a_not_retrieved"
    gold_uncited = _src(2, _LIST, cited=False)
    assert classify(_record("- 提升竞争力 [1]", [other, gold_uncited]))[0] == "b_other_passage"
    cut = _src(1, "一段介绍。\n\n" + _LIST, cited=True)
    label, rule = classify(_record("一段介绍。 [1]", [cut]))
    assert (label, rule) == ("c_cut", "block not chosen (list)")


def test_partial_answers_refusals_and_passes(tmp_path: Path) -> None:
    half = _src(1, "- 学习压力大", cited=True)
    rest = _src(2, "- 效果慢", cited=False, section="别处")
    assert classify(_record("- 学习压力大 [1]", [half, rest]))[0] == "c_partial_retrieved"
    assert classify(_record("- 学习压力大 [1]", [half]))[0] == "c_partial_not_retrieved"
    assert classify(_record("", [], refused=True))[0] == "d_refused"
    assert classify(_record("x", [], route="next_step"))[0] == "d_misrouted"
    good = _src(1, _LIST, cited=True)
    passed = _record("- 学习压力大 [1]\n- 效果慢 [1]", [good])
    assert classify(passed) == ("passed", "")
    path = tmp_path / "answers.jsonl"
    path.write_text(json.dumps(passed) + "\n" + json.dumps(_record("", [], refused=True)) + "\n")
    result = diagnose(path)
    assert result["classes"] == {"d_refused": 1}
    assert [c["class"] for c in result["cases"]] == ["d_refused"]
