"""The concept lexicon: loading what still fits the material, the clear-winner match, the section rows."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from tutor.index.lexicon import LexiconMatcher, default_lexicon_path, load_lexicon
from tutor.index.lexicon_sections import teaching_first
from tutor.index.sections import ConceptGlossary

_ROADMAP = "ai-learning-roadmap"


def _meta(headings: list[str], doc: str = _ROADMAP) -> dict[str, str]:
    return {"doc": doc, "headings": json.dumps(headings, ensure_ascii=False)}


def _entry(term: str, section: str, zh: list[str], en: list[str], aliases: list[str] | None = None) -> str:
    raw = {"term": term, "aliases": aliases or [], "doc": _ROADMAP, "section": section}
    return json.dumps(raw | {"describe_zh": zh, "describe_en": en}, ensure_ascii=False)


TEXTS = [
    "**无监督学习**\n- K-means 聚类\n- PCA 降维",
    "**文本预处理**\n- 分词（Tokenization）",
    "**核心内容**\n- Dropout",
]
METADATA = [
    _meta(["技能点 4：机器学习基础", "无监督学习"]),
    _meta(["技能点 6：自然语言处理", "核心内容"]),
    _meta(["技能点 7：深度学习", "核心内容"]),
]


def _lexicon(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "lexicon.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_entries_that_no_longer_fit_the_material_are_skipped_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = _lexicon(
        tmp_path,
        [
            _entry("K-means 聚类", "无监督学习", ["把数据自动分成几堆"], ["grouping unlabelled points"]),
            _entry("Tokenization", "核心内容", ["把句子切成词"], ["cutting text into words"]),  # case folded
            _entry(
                "GAN", "无监督学习", ["两个网络互相博弈"], ["two networks competing"]
            ),  # not in the section
            _entry(
                "Dropout", "不存在的章节", ["随机关掉神经元"], ["switching neurons off"]
            ),  # no such heading
            "not json",
            json.dumps({"term": "x"}),  # no section, no descriptions
        ],
    )
    with caplog.at_level(logging.WARNING, logger="tutor.index.lexicon"):
        kept = load_lexicon(path, TEXTS, METADATA)
    assert [e.term for e in kept] == ["K-means 聚类", "Tokenization"]
    assert kept[0].descriptions == ("把数据自动分成几堆", "grouping unlabelled points")
    warnings = caplog.text
    assert "'GAN' no longer occurs" in warnings and "'Dropout' no longer occurs" in warnings
    assert "not an entry" in warnings
    assert load_lexicon(tmp_path / "missing.jsonl", TEXTS, METADATA) == []


def _axis(text: str) -> list[float]:
    return {
        "把数据自动分成几堆": [1.0, 0.0, 0.0],
        "不用标签给样本分组": [0.95, 0.31, 0.0],
        "把很多维压成两三维": [0.96, 0.28, 0.0],
        "把句子切成词": [0.0, 0.0, 1.0],
    }.get(text, [0.0, 1.0, 0.0])


def _matcher(margin: float, margin_en: float | None = None) -> LexiconMatcher:
    from tutor.index.lexicon import LexiconEntry

    entries = [
        LexiconEntry(
            "K-means 聚类", ("K-means",), _ROADMAP, "无监督学习", ("把数据自动分成几堆", "不用标签给样本分组")
        ),
        LexiconEntry("PCA 降维", (), _ROADMAP, "无监督学习", ("把很多维压成两三维",)),
        LexiconEntry("分词", ("Tokenization",), _ROADMAP, "核心内容", ("把句子切成词",)),
    ]
    return LexiconMatcher(entries, lambda ts: [_axis(t) for t in ts], margin, margin_en)


def test_the_closest_concept_wins_only_by_the_margin() -> None:
    matcher = _matcher(margin=0.02)
    hit = matcher.match([1.0, 0.0, 0.0])
    assert hit is not None and hit.entry.term == "K-means 聚类"
    assert hit.score == pytest.approx(1.0) and hit.margin == pytest.approx(1.0 - 0.96, abs=1e-6)
    # the best description counts, not the average; the second K-means description is no rival
    assert matcher.described("自动分堆？", lambda q: [1.0, 0.0, 0.0]) == hit
    # a near tie between two concepts is no evidence for either
    strict = _matcher(margin=0.05)
    assert strict.described("自动分堆？", lambda q: [1.0, 0.0, 0.0]) is None
    # English questions have their own margin
    english = _matcher(margin=0.02, margin_en=0.05)
    assert english.described("grouping points?", lambda q: [1.0, 0.0, 0.0]) is None
    assert english.described("自动分堆？", lambda q: [1.0, 0.0, 0.0]) is not None
    assert LexiconMatcher([], lambda ts: []).match([1.0, 0.0]) is None


def test_the_glossary_hands_the_lexicon_term_and_aliases_to_bm25_before_its_own_entries() -> None:
    glossary = ConceptGlossary(
        [("PCA 降维", "无监督学习：PCA 降维")], lambda ts: [_axis(t) for t in ts], _axis
    )
    glossary.lexicon = _matcher(margin=0.02)
    assert glossary("把数据自动分成几堆") == "K-means 聚类 K-means"
    # not for what comes next, an essay, or a table of resources
    assert glossary.described("学完把数据自动分成几堆之后下一步学什么") is None
    assert glossary.described("那篇文章里把数据自动分成几堆是什么意思") is None
    # no clear winner: the material's own entries as before
    glossary.lexicon = _matcher(margin=0.5)
    assert glossary("把很多维压成两三维") == "PCA 降维"


def test_the_passages_naming_the_term_come_first() -> None:
    from tutor.index.lexicon import LexiconEntry
    from tutor.index.store import StoredChunk

    chunks = [
        StoredChunk(f"c{k}", text, meta, 0.0)
        for k, (text, meta) in enumerate(zip(TEXTS, METADATA, strict=True))
    ]
    dropout = LexiconEntry("Dropout", (), _ROADMAP, "核心内容", ("随机关掉神经元",))
    # 核心内容 recurs under every skill: only the passage naming the term, not the other skill's
    assert [c.id for c in teaching_first(dropout, chunks[1:])] == ["c2"]
    absent = LexiconEntry("BatchNorm", (), _ROADMAP, "核心内容", ("归一化",))
    assert [c.id for c in teaching_first(absent, chunks[1:])] == ["c1", "c2"]  # none names it: all
    # a sub-heading may be the term
    unsupervised = LexiconEntry("无监督学习", (), _ROADMAP, "技能点 4：机器学习基础", ("不用标签",))
    assert [c.id for c in teaching_first(unsupervised, chunks[1:] + chunks[:1])][0] == "c0"


def test_the_shipped_lexicon_is_well_formed() -> None:
    lines = [
        json.loads(x) for x in default_lexicon_path().read_text(encoding="utf-8").splitlines() if x.strip()
    ]
    assert len(lines) >= 100
    for raw in lines:
        assert {"term", "aliases", "doc", "section", "describe_zh", "describe_en"} <= set(raw)
        assert 4 <= len(raw["describe_zh"]) <= 6 and 4 <= len(raw["describe_en"]) <= 6


def test_a_concept_the_question_names_wins_when_nearly_as_close() -> None:
    from tutor.index.lexicon import LexiconEntry

    entries = [
        LexiconEntry("Dropout", (), _ROADMAP, "核心内容", ("随机关掉一些神经元",)),
        LexiconEntry("过拟合", (), _ROADMAP, "核心概念", ("只会背训练数据",)),
        LexiconEntry("PCA 降维", (), _ROADMAP, "无监督学习", ("压缩维度",)),
    ]
    vectors = {"随机关掉一些神经元": [1.0, 0.0], "只会背训练数据": [0.99, 0.141], "压缩维度": [0.0, 1.0]}
    matcher = LexiconMatcher(entries, lambda ts: [vectors[t] for t in ts], margin=0.005)
    question = [1.0, 0.0]
    # 过拟合 is named and only 0.01 below Dropout, and the rest alone describes neither: about the name
    blurred = [0.995, 0.07]  # "为什么会？随机关掉神经元": no clear lead once 过拟合 is gone
    ask = lambda q: question if "过拟合" in q else blurred  # noqa: E731
    assert matcher.described("为什么会过拟合？随机关掉神经元", ask) is None
    # not named: the described concept
    hit = matcher.described("随机关掉神经元的办法在哪学？", lambda q: question)
    assert hit is not None and hit.entry.term == "Dropout"
    # named only as context, far below the described concept: still the described one
    far = {**vectors, "只会背训练数据": [0.9, 0.436]}
    context = LexiconMatcher(entries, lambda ts: [far[t] for t in ts], margin=0.005)
    named = context.described("防止过拟合的随机关掉神经元的办法", lambda q: question)
    assert named is not None and named.entry.term == "Dropout"


def test_a_chinese_name_counts_as_said_with_the_particle_de_inside() -> None:
    """ "技术人怎么补跨领域的知识" names 跨领域知识: its descriptions must not win it back as a described concept."""
    from tutor.index.lexicon import LexiconEntry, names_said

    entry = LexiconEntry("跨领域知识", (), "curiosity-and-knowledge-sharing", "跨领域", ("不同行业的学问",))
    assert names_said(entry, "技术人怎么补跨领域的知识")
    assert not names_said(entry, "技术人怎么补领域知识")
    with_de = LexiconEntry("目的地", (), _ROADMAP, "核心内容", ("要去的地方",))
    assert not names_said(with_de, "目地在哪")  # a name holding 的 is matched as written


def test_a_name_said_only_inside_a_description_is_no_rival() -> None:
    """ "训练时随机把一部分神经元关掉防止过拟合的那个技巧" says 过拟合 as Dropout's purpose, 0.01 below it: without
    the word the rest still describes Dropout clearly, so Dropout answers; a short question about 过拟合 does not."""
    from tutor.index.lexicon import LexiconEntry

    entries = [
        LexiconEntry("Dropout", (), _ROADMAP, "核心内容", ("随机关掉一些神经元",)),
        LexiconEntry("过拟合", (), _ROADMAP, "核心概念", ("只会背训练数据",)),
    ]
    vectors = {"随机关掉一些神经元": [1.0, 0.0], "只会背训练数据": [0.99, 0.141]}
    matcher = LexiconMatcher(entries, lambda ts: [vectors[t] for t in ts], margin=0.005)
    ask = lambda q: [1.0, 0.0] if "过拟合" in q else [1.0, -0.3]  # noqa: E731 - the rest is Dropout's alone
    hit = matcher.described("训练时随机把一部分神经元关掉防止过拟合的那个技巧在哪学", ask)
    assert hit is not None and hit.entry.term == "Dropout"
    assert matcher.described("过拟合在哪个技能点？", ask) is None  # too little left without the name


def test_without_names_keeps_only_a_rest_that_can_describe() -> None:
    from tutor.index.describing import without_names

    rest = without_names("训练时随机把一部分神经元关掉防止过拟合的那个技巧", ["过拟合", "Overfitting"])
    assert rest is not None and "过拟合" not in rest and "神经元" in rest
    assert without_names("过拟合在哪学？", ["过拟合"]) is None
    assert without_names("What is LoRA exactly?", ["LoRA"]) is None
    en = without_names("a trick that trains a small low-rank add-on, not AdaLoRA, instead of LoRA", ["LoRA"])
    assert en is not None and "AdaLoRA" in en and " LoRA" not in en


def test_a_question_that_is_only_a_name_and_the_asking_names_that_item() -> None:
    """ "Which skill covers LoRA?" describes nothing: a concept whose descriptions sit near its few words (an item
    of another skill) is no answer however far it leads."""
    from tutor.index.lexicon import LexiconEntry

    entries = [
        LexiconEntry("LLaMA-Factory", (), _ROADMAP, "核心内容", ("一个微调框架",)),
        LexiconEntry("LoRA", (), _ROADMAP, "核心内容", ("两个小矩阵",)),
    ]
    vectors = {"一个微调框架": [1.0, 0.0], "两个小矩阵": [0.0, 1.0]}
    matcher = LexiconMatcher(entries, lambda ts: [vectors[t] for t in ts], margin=0.005)
    assert matcher.described("Which skill covers LoRA?", lambda q: [1.0, 0.0], answer=True) is None
