"""The lexicon's answer mode: what the chain's concept answer may take that retrieval's section list may not."""

from __future__ import annotations

from tutor.index.lexicon import LexiconEntry, LexiconMatcher

_ROADMAP = "ai-learning-roadmap"
_ENTRIES = [
    LexiconEntry("混合检索", (), _ROADMAP, "核心内容", ("两路检索合起来",)),
    LexiconEntry("语义检索", ("向量检索",), _ROADMAP, "核心内容", ("按意思搜",)),
    LexiconEntry("LLM", ("大模型",), _ROADMAP, "核心内容", ("会聊天的模型",)),
    LexiconEntry("PCA 降维", (), _ROADMAP, "无监督学习", ("压缩维度",)),
]
_VECTORS = {
    "两路检索合起来": [1.0, 0.0],
    "按意思搜": [0.99, 0.141],
    "会聊天的模型": [0.99, 0.141],
    "压缩维度": [0.0, 1.0],
}


def _matcher() -> LexiconMatcher:
    return LexiconMatcher(_ENTRIES, lambda ts: [_VECTORS[t] for t in ts], margin=0.005)


def test_a_named_sibling_of_the_same_passage_is_no_rival_for_an_answer() -> None:
    matcher = _matcher()
    matcher.same_place = lambda a, b: {a.term, b.term} == {"混合检索", "语义检索"}
    question = "把关键词和向量检索结合起来的检索在哪学？"
    ask = lambda q: [1.0, 0.0] if "向量检索" in q else [0.7, 0.7]  # noqa: E731 - the rest alone describes neither
    assert matcher.described(question, ask) is None  # retrieval: named, nearly as close
    hit = matcher.described(question, ask, answer=True)
    assert hit is not None and hit.entry.term == "混合检索"


def test_a_general_word_of_the_material_is_no_named_rival_for_an_answer() -> None:
    matcher = _matcher()
    question = "让大模型把两路检索合起来的办法在哪学？"
    ask = lambda q: [1.0, 0.0] if "大模型" in q else [0.7, 0.7]  # noqa: E731 - the rest alone describes neither
    assert matcher.described(question, ask, answer=True) is None  # 大模型 not yet common
    matcher.common = lambda name: name == "大模型"
    assert matcher.described(question, ask) is None  # retrieval unchanged
    hit = matcher.described(question, ask, answer=True)
    assert hit is not None and hit.entry.term == "混合检索"


def test_the_answer_mode_asks_its_own_gate() -> None:
    matcher = _matcher()
    matcher.gate = lambda question, entry, closeness: False  # the named skill's overview keeps rank 1
    matcher.answerable = lambda question, entry: True
    assert matcher.described("两路检索合起来在哪学？", lambda q: [1.0, 0.0]) is None
    hit = matcher.described("两路检索合起来在哪学？", lambda q: [1.0, 0.0], answer=True)
    assert hit is not None and hit.entry.term == "混合检索"
    matcher.answerable = lambda question, entry: False  # a time question, another document's concept
    assert matcher.described("两路检索合起来要学多久？", lambda q: [1.0, 0.0], answer=True) is None
