"""Citation hygiene without a model: overlap decides, dangling markers go, wrong ones move."""

from __future__ import annotations

from tutor.chain.answer import Answer, CitationCheck, Source
from tutor.chain.citations import check_citations, cited_numbers, renumber


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


def _answer_citing(text: str, ranks: list[int], cited: set[int]) -> Answer:
    sources = [Source(n=n, id=str(n), doc="d", title="T", text=f"段落 {n}", cited=n in cited) for n in ranks]
    return Answer(
        question="q",
        standalone_question="q",
        language="zh",
        route="material",
        route_reason="",
        text=text,
        sources=sources,
        next_step=f"读完第 {max(cited)} 段 [{max(cited)}]",
    )


def test_citations_are_renumbered_densely_in_order_of_first_use() -> None:
    answer = _answer_citing("- 甲 [4]\n- 乙 [2]\n- 丙 [4]", [1, 2, 3, 4], {2, 4})
    answer.citation_checks = [
        CitationCheck(
            sentence="甲", cited=3, similarity=None, overlap=0.0, supported=False, action="moved", moved_to=4
        )
    ]
    assert renumber(answer) == "- 甲 [1]\n- 乙 [2]\n- 丙 [1]"
    assert [(s.id, s.n, s.cited) for s in answer.sources] == [
        ("4", 1, True),
        ("2", 2, True),
        ("1", 3, False),
        ("3", 4, False),
    ]  # each passage keeps what it holds; the uncited ones follow in their old order
    assert answer.next_step == "读完第 4 段 [1]"
    assert (answer.citation_checks[0].cited, answer.citation_checks[0].moved_to) == (4, 1)


def test_dense_citations_are_left_alone() -> None:
    answer = _answer_citing("- 甲 [1]\n- 乙 [2]", [1, 2, 3], {1, 2})
    assert renumber(answer) == "- 甲 [1]\n- 乙 [2]" and [s.n for s in answer.sources] == [1, 2, 3]
