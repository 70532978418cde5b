"""The second-stage re-scoring and the concept glossary built from the material's own lists."""

from __future__ import annotations

import json

import pytest

from tutor.index.bm25 import BM25Index
from tutor.index.query import QueryRewriter
from tutor.index.rescore import rescore
from tutor.index.sections import ConceptGlossary, SectionView, concept_entries
from tutor.index.store import StoredChunk


def _chunk(cid: str, score: float, headings: list[str], text: str = "x", doc: str = "roadmap") -> StoredChunk:
    return StoredChunk(cid, text, {"doc": doc, "headings": json.dumps(headings, ensure_ascii=False)}, score)


def test_rescore_moves_a_near_tie_by_block_similarity_and_referenced_sections() -> None:
    chunks = [
        _chunk("overview", 0.050, ["学习路线总览"]),
        _chunk(
            "stage2", 0.048, ["阶段 2：深度学习实践（2-3 个月）", "技能点 7：PyTorch 深度掌握 ⭐⭐⭐⭐⭐"]
        ),
        _chunk("far", 0.030, ["技能点 1：Python 编程 ⭐⭐⭐⭐⭐"]),
    ]
    # no signal: the fused order stays
    assert [c.id for c in rescore(chunks, {}, "", 2.0, 0.1)] == ["overview", "stage2", "far"]
    # the second passage's best block is clearly closer: it overtakes a 4% RRF lead, not a 40% one
    block = {"overview": 0.80, "stage2": 0.86, "far": 0.99}
    assert [c.id for c in rescore(chunks, block, "", 2.0, 0.0)] == ["stage2", "overview", "far"]
    # the question refers to stage 2: the passage under it gets the bonus
    referenced = "阶段 2：深度学习实践（2-3 个月）"
    assert [c.id for c in rescore(chunks, {}, referenced, 0.0, 0.1)][0] == "stage2"
    # a table (no block) keeps its fused place instead of being pushed down
    assert [c.id for c in rescore(chunks, {"stage2": 0.9, "far": 0.9}, "", 2.0, 0.0)][0] == "overview"
    assert rescore([], {}, "", 2.0, 0.1) == []


def test_block_similarity_per_passage_leaves_tables_out() -> None:
    chunks = [
        _chunk("a", 0, ["技能点 4"], "**无监督学习**\n- K-means 聚类"),
        _chunk("t", 0, ["书籍推荐"], "| 书 | 链接 |\n|---|---|\n| 花书 | - |"),
    ]
    view = SectionView(BM25Index.build(chunks), lambda texts: [[1.0, 0.0] for _ in texts])
    assert view.block_similarity(["a", "t", "missing"], [1.0, 0.0]) == {"a": pytest.approx(1.0)}


ROADMAP = """**无监督学习**
- K-means 聚类
- PCA 降维

**文本预处理**
- 分词（Tokenization）
- 停用词过滤

| 资源 | 链接 |
|---|---|
| [教程](https://a.example) | https://a.example |
"""
ESSAY = "- **技术咨询**：为公司或项目提供技术建议和解决方案。"


def test_concept_entries_are_list_items_and_bold_labels_in_their_heading_path() -> None:
    texts = [ROADMAP, ESSAY, "- 一张资源卡片"]
    meta = [
        {"doc": "roadmap", "headings": json.dumps(["阶段 1", "技能点 4：机器学习基础 ⭐⭐⭐⭐⭐"])},
        {"doc": "essay", "headings": json.dumps(["3.4 算法应用领域"])},
        {"doc": "cards", "headings": "[]"},
    ]
    entries = dict(concept_entries(texts, meta, skip_docs={"cards"}))
    assert entries["PCA 降维"] == "阶段 1 › 技能点 4：机器学习基础 › 无监督学习：PCA 降维"
    assert entries["分词（Tokenization）"].endswith("文本预处理：分词（Tokenization）")
    assert entries["技术咨询"] == "3.4 算法应用领域：技术咨询：为公司或项目提供技术建议和解决方案。"
    assert "无监督学习" in entries  # the label itself is an entry
    assert not any("http" in t or "|" in t for t in entries)  # tables and links are left out
    assert "一张资源卡片" not in entries


def _axis(text: str) -> list[float]:
    """Two-dimensional toy vectors: 'dimensions' questions and the PCA entry share an axis."""
    return [1.0, 0.0] if any(w in text for w in ("PCA", "维度", "dimensions")) else [0.0, 1.0]


def test_concept_glossary_expands_only_questions_without_a_keyword() -> None:
    entries = [("PCA 降维", "技能点 4 › 无监督学习：PCA 降维"), ("分词（Tokenization）", "文本预处理：分词")]
    glossary = ConceptGlossary(entries, lambda ts: [_axis(t) for t in ts], _axis, top=1)
    assert glossary("把很多维度的数据压到两三维的方法在哪学？") == "PCA 降维"
    # the question already names a term (either side of the parenthesis): nothing to add
    assert glossary("PCA 降维在哪个技能点？") is None
    assert glossary("Where do I learn tokenization?") is None
    # a question about an essay is left to the document router
    assert glossary("那篇文章里说的维度是什么？") is None
    assert ConceptGlossary([], lambda ts: [], _axis)("anything") is None


def test_concept_glossary_adds_nothing_on_a_near_tie_between_terms() -> None:
    entries = [("PCA 降维", "降维 a"), ("t-SNE", "降维 b"), ("PCA 降维", "降维 c")]
    vectors = {"降维 a": [1.0, 0.0], "降维 b": [0.999, 0.045], "降维 c": [0.0, 1.0]}
    question = [1.0, 0.0]
    tied = ConceptGlossary(entries, lambda ts: [vectors[t] for t in ts], lambda q: question, margin=0.01)
    assert tied("把数据压到两三维？") is None  # t-SNE's entry is within 0.01 of PCA's
    clear = ConceptGlossary(entries, lambda ts: [vectors[t] for t in ts], lambda q: question, margin=0.0005)
    assert clear("把数据压到两三维？") == "PCA 降维"
    chinese = ConceptGlossary(entries, lambda ts: [vectors[t] for t in ts], lambda q: question, cjk_only=True)
    assert chinese("把数据压到两三维？") == "PCA 降维"
    assert chinese("squeezing data into two dimensions?") is None  # English: no term from the Chinese entries


def test_fallback_hooks_run_only_when_no_other_rewrite_fired() -> None:
    rewriter = QueryRewriter(time_expressions=True, fallback_extra=[lambda q: "PCA 降维"])
    plain = rewriter.plan("把数据压到两三维的方法？")
    assert plain.keyword_text.endswith("PCA 降维") and "PCA" not in plain.dense_text
    assert plain.applied == ["fallback:PCA 降维"]
    timed = rewriter.plan("学了三个月该会什么？")
    assert "PCA" not in timed.keyword_text  # the time rewrite fired: the question has its anchor
    both = QueryRewriter(fallback_extra=[lambda q: "PCA 降维"], fallback_to_dense=True).plan("压缩维度？")
    assert both.dense_text.endswith("PCA 降维")
