"""Citation hygiene without a model: overlap decides, dangling markers go, wrong ones move."""

from __future__ import annotations

from tutor.chain.answer import Source
from tutor.chain.citations import check_citations, cited_numbers


def _sources() -> list[Source]:
    return [
        Source(
            n=1,
            id="a",
            doc="d",
            title="T",
            text="混合检索把 BM25 关键词检索和向量检索结合起来，再用 RRF 融合排名。",
        ),
        Source(
            n=2, id="b", doc="d", title="T", text="LoRA 是一种参数高效微调方法，只训练低秩矩阵，显存占用小。"
        ),
    ]


def test_supported_citations_are_kept_and_marked_cited() -> None:
    sources = _sources()
    text, checks, removed = check_citations("混合检索结合 BM25 和向量检索 [1]。", sources, None, 0.8, 0.3)
    assert text == "混合检索结合 BM25 和向量检索 [1]。"
    assert [c.action for c in checks] == ["kept"] and removed == []
    assert sources[0].cited and not sources[1].cited


def test_a_citation_to_the_wrong_passage_is_moved_to_the_supporting_one() -> None:
    text, checks, _ = check_citations("LoRA 只训练低秩矩阵，显存占用小[1]。", _sources(), None, 0.8, 0.3)
    assert text == "LoRA 只训练低秩矩阵，显存占用小[2]。"
    assert checks[0].action == "moved" and checks[0].cited == 1 and checks[0].moved_to == 2
    assert not checks[0].supported


def test_unsupported_citations_are_dropped_and_dangling_numbers_removed() -> None:
    sources = _sources()
    text, checks, removed = check_citations(
        "天空是蓝色的，因为瑞利散射[1]。LoRA 训练低秩矩阵[2][9]。", sources, None, 0.8, 0.3
    )
    assert "[1]" not in text and "[9]" not in text and "LoRA 训练低秩矩阵[2]" in text
    assert [c.action for c in checks] == ["dropped", "kept"]
    assert removed == [9]
    assert cited_numbers(text) == [2]


def test_compound_and_fullwidth_markers() -> None:
    assert cited_numbers("a [1, 2] b 【3】 c [2]") == [1, 2, 3]
    text, _, removed = check_citations("混合检索用 RRF 融合排名 [1, 7]。", _sources(), None, 0.8, 0.3)
    assert text == "混合检索用 RRF 融合排名 [1]。" and removed == [7]
