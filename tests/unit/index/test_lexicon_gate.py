"""The lexicon's scope gate: no concept of a section the question names, nothing for a time question."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from tutor.chain.understanding import Understanding
from tutor.index.lexicon import LexiconEntry, LexiconMatcher
from tutor.index.lexicon_gate import ScopeGate, heading_names

_ROADMAP = "ai-learning-roadmap"
_ESSAY = "expert-to-opinion-leader"
_PROMPT = "技能点 10：Prompt Engineering ⭐⭐⭐⭐⭐"
_RAG = "技能点 11：RAG 检索增强 ⭐⭐⭐⭐⭐"
_OPEN = "4. 参与开源社区"
ROWS = [
    (_ROADMAP, [_PROMPT, "核心内容"], "**高级技巧**\n- Chain-of-Thought\n- Tree of Thoughts"),
    (_ROADMAP, [_RAG, "核心内容"], "**检索策略**\n- 混合检索"),
    (_ROADMAP, ["学习建议", _OPEN], "- 提交 Issue 和 Pull Request\n- 参加 Kaggle 竞赛"),
    (_ROADMAP, ["学习时间规划", "全职学习（8-13 个月）"], "- 每天 8 小时学习"),
    (_ESSAY, ["6. 影响力", "6.4 开源社区贡献"], "为开源项目贡献代码"),
]
INDEX = SimpleNamespace(
    texts=[t for _, _, t in ROWS],
    metadata=[{"doc": d, "headings": json.dumps(h, ensure_ascii=False)} for d, h, _ in ROWS],
)


def _understand(question: str) -> Understanding:
    if "prompt" in question.lower():
        return Understanding(skills=[10], evidence={"skill 10": "prompt"})
    if "让模型" in question:  # a skill only guessed from a near-spelling
        return Understanding(skills=[11], evidence={"skill 11": "模型 ≈ RAG"})
    if "几个小时" in question:
        return Understanding(aspects=["time"])
    return Understanding()


def _gate() -> ScopeGate:
    curriculum = SimpleNamespace(
        doc=_ROADMAP,
        skills=[SimpleNamespace(number=10, heading=_PROMPT), SimpleNamespace(number=11, heading=_RAG)],
        stages=[],
    )
    roadmap = SimpleNamespace(understand=_understand, curriculum=lambda: curriculum)
    return ScopeGate(roadmap, lambda: INDEX)  # type: ignore[arg-type]


TOT = LexiconEntry("Tree of Thoughts", (), _ROADMAP, "核心内容", ("让模型分几条思路试",))
HYBRID = LexiconEntry("混合检索", (), _ROADMAP, "核心内容", ("关键词和向量一起搜",))
KAGGLE = LexiconEntry("Kaggle", (), _ROADMAP, _OPEN, ("数据科学比赛",))
OPEN_SOURCE = LexiconEntry("开源社区贡献", (), _ESSAY, "6.4 开源社区贡献", ("给开源项目写代码",))


def _close(**scores: float) -> list[tuple[LexiconEntry, float]]:
    entries = {"tot": TOT, "hybrid": HYBRID, "kaggle": KAGGLE, "open_source": OPEN_SOURCE}
    return [(entries[k], scores.get(k, 0.5)) for k in entries]


def test_a_concept_of_the_skill_the_question_names_is_not_redirected_to() -> None:
    gate = _gate()
    asked = "Which prompting techniques count as advanced?"
    # the question names Prompt Engineering: Tree of Thoughts is taught under it
    assert not gate(asked, TOT, _close(tot=0.9))
    # 核心内容 recurs under every skill: a concept of another skill's 核心内容 gets through when it leads
    # the named skill's own closest concept clearly, not when that one is nearly as close
    assert gate(asked, HYBRID, _close(hybrid=0.9, tot=0.86))
    assert not gate(asked, HYBRID, _close(hybrid=0.9, tot=0.88))
    # a question naming nothing, or a skill only guessed from a near-spelling: the concept
    assert gate("让分几条思路分别试一试的办法", TOT, _close(tot=0.9))
    assert gate("让模型分几条思路分别试一试的办法", HYBRID, _close(hybrid=0.9, tot=0.89))
    # the question names the concept itself: it is about it
    assert gate("What is Tree of Thoughts in prompt engineering?", TOT, _close(tot=0.9))


def test_a_section_named_by_its_heading_blocks_its_own_and_other_documents_concepts() -> None:
    gate = _gate()
    asked = "参与开源社区，路线具体建议做哪些事？"
    assert not gate(asked, KAGGLE, _close(kaggle=0.9))
    assert not gate(asked, OPEN_SOURCE, _close(open_source=0.95))  # an unnamed essay's
    assert gate(asked, HYBRID, _close(hybrid=0.95, kaggle=0.8))  # another section, far ahead


def test_a_time_question_is_never_redirected() -> None:
    assert not _gate()("全职学习每天要学几个小时？", HYBRID, _close(hybrid=0.99))


def test_generic_and_short_headings_are_no_names() -> None:
    names = heading_names([(d, h) for d, h, _ in ROWS])
    assert names["参与开源社区"] == (_ROADMAP, "4.参与开源社区") and "promptengineering" in names
    assert "核心内容" not in names  # recurs under every skill
    assert "学习建议" in names and "开源社区贡献" in names
    assert not any(len(n) < 4 for n in names)


def test_the_matcher_asks_its_gate() -> None:
    vectors = {"让模型分几条思路试": [1.0, 0.0], "关键词和向量一起搜": [0.0, 1.0]}
    matcher = LexiconMatcher([TOT, HYBRID], lambda ts: [vectors[t] for t in ts], margin=0.01)
    assert matcher.described("advanced prompting tricks", lambda q: [1.0, 0.0]) is not None
    matcher._last = None
    matcher.gate = _gate()
    assert matcher.described("advanced prompting tricks", lambda q: [1.0, 0.0]) is None


def test_concepts_taught_in_one_passage_are_no_rivals() -> None:
    cot = LexiconEntry("Chain-of-Thought", ("CoT",), _ROADMAP, "核心内容", ("一步一步写出推理",))
    vectors = {
        "让模型分几条思路试": [1.0, 0.0],
        "一步一步写出推理": [0.995, 0.0998],
        "关键词和向量一起搜": [0.0, 1.0],
    }
    matcher = LexiconMatcher([TOT, cot, HYBRID], lambda ts: [vectors[t] for t in ts], margin=0.02)
    assert matcher.described("分几条思路试", lambda q: [1.0, 0.0]) is None  # a near tie with CoT
    gate = _gate()
    assert gate.same_place(TOT, cot) and not gate.same_place(TOT, HYBRID)
    matcher._last, matcher.same_place = None, gate.same_place
    hit = matcher.described("分几条思路试", lambda q: [1.0, 0.0])  # both taught in one passage: no rival
    assert hit is not None and hit.entry.term == "Tree of Thoughts"
    assert hit.margin == pytest.approx(1.0)  # its rival is 混合检索, another passage's


def test_a_latin_name_between_words_counts_as_named() -> None:
    cot = LexiconEntry("Chain-of-Thought", ("CoT",), _ROADMAP, "核心内容", ("一步一步写出推理",))
    vectors = {
        "让模型分几条思路试": [0.99, 0.141],
        "一步一步写出推理": [1.0, 0.0],
        "关键词和向量一起搜": [0.0, 1.0],
    }
    matcher = LexiconMatcher([TOT, cot, HYBRID], lambda ts: [vectors[t] for t in ts], margin=0.005)
    # "What's Tree of Thoughts, and…" folds to "what'streeofthoughts,and…": still named, and 0.01 below CoT
    assert (
        matcher.described("What's Tree of Thoughts, and which skill covers it?", lambda q: [1.0, 0.0]) is None
    )
    matcher._last = None
    assert matcher.described("Which skill covers it?", lambda q: [1.0, 0.0]) is not None
