"""Ordinal follow-ups: the n-th item of the list the earlier answer quoted, answered whole."""

from __future__ import annotations

import pytest

from tests.unit.chain.test_doc_parts import ESSAY, LABELLED, _Embedder, _retrieved
from tutor.chain.compose_blocks import Block
from tutor.chain.compose_doc import StructureComposer
from tutor.chain.compose_render import render_blocks
from tutor.chain.followup import refers_back
from tutor.chain.ordinal import earlier_turn, item_lead, list_items, ordinal, pick, resolved_in_roadmap
from tutor.chain.understanding import Understanding


@pytest.mark.parametrize(
    ("question", "position"),
    [
        ("第四个具体怎么做？", 4),
        ("第三步展开讲讲", 3),
        ("第二点展开说说", 2),
        ("第 5 条是什么意思", 5),
        ("最后一个呢？", -1),
        ("最后那一步怎么做", -1),
        ("最后那个是什么意思", -1),
        ("the second one?", 2),
        ("Tell me more about the last one", -1),
        ("Can you go into the fourth one?", 4),
        ("and the third step?", 3),
        ("What about number 3?", 3),
        ("What does the 2nd one mean?", 2),
        ("what does it say about the very last step specifically?", -1),
        ("And the very first one?", 1),
    ],
)
def test_ordinals_in_both_languages(question: str, position: int | None) -> None:
    assert ordinal(question) == position


@pytest.mark.parametrize(
    "question",
    [
        "第二阶段学什么",
        "第三个月应该做到什么",
        "第二个技能的项目呢",
        "First, I want to learn Python",
        "What comes first?",
    ],
)
def test_stages_months_skills_and_loose_ordinal_words_are_no_list_position(question: str) -> None:
    assert ordinal(question) is None


def _outline(question: str, chunks: list, first: int = 0) -> tuple[list, list, StructureComposer]:
    composer = StructureComposer(lambda: chunks)
    sources = [_retrieved(chunks[first])]
    plan = composer.plan(question, sources, _Embedder())  # type: ignore[arg-type]
    return plan.blocks or [], sources, composer


def test_the_nth_step_of_an_outline_is_its_whole_sub_section() -> None:
    blocks, sources, composer = _outline("中年危机要怎么应对？", ESSAY)
    items = list_items(blocks, composer.parts(), sources)
    assert [i.label for i in items] == ["技术栈升级", "持续学习", "时间管理"]
    k, item = pick(items, 3) or (0, None)
    assert k == 3 and item is not None
    text = render_blocks(item.blocks, sources, "zh", item_lead(k, item.label, "zh"))
    assert text.startswith("上一个回答列出的第 3 项（时间管理）")
    assert "使用GTD方法" in text and "工具支持" in text and "选择新技能" not in text
    assert pick(items, -1) == (3, item)  # "the last one"


def test_a_labelled_step_is_the_blocks_its_label_heads() -> None:
    blocks, sources, composer = _outline("怎么成为意见领袖？", LABELLED)
    items = list_items(blocks, composer.parts(), sources)
    k, item = pick(items, 2) or (0, None)
    assert item is not None and item.label == "行业调研与实践"
    text = render_blocks(item.blocks, sources, "en", item_lead(k, item.label, "en"))
    assert text.startswith("Item 2 of the list in the previous answer (行业调研与实践)")
    assert "了解行业需求" in text and "成为意见领袖" not in text and "深入学习基础知识" not in text


def test_the_faq_as_a_whole_lists_every_entry_and_an_ordinal_picks_one() -> None:
    blocks, sources, composer = _outline("中年危机那篇的常见问题里都问了些什么？", ESSAY)
    assert [b.kind for b in blocks] == ["qa", "qa"]  # every entry, not the best-scoring one
    k, item = pick(list_items(blocks, composer.parts(), sources), 2) or (0, None)
    assert item is not None and item.label == "学习新技术时需要注意哪些问题？"
    text = render_blocks(item.blocks, sources, "zh")
    assert "寻求帮助" in text and "制定日程表" not in text


def test_one_thing_asked_about_the_faq_is_not_the_whole_faq() -> None:
    blocks, _, _ = _outline("The FAQ mentions planning a schedule. How long should it be?", ESSAY)
    assert [b.kind for b in blocks] != ["qa", "qa"]


def test_a_plain_list_gives_its_items_with_their_sub_items() -> None:
    block = Block(
        1,
        0,
        "list",
        "",
        "",
        ["**数据准备**：收集数据", "  清洗数据", "**模型选择**：选模型", "**模型训练**：训练"],
    )
    items = list_items([block], StructureComposer(lambda: ESSAY).parts(), [_retrieved(ESSAY[0])])
    assert [i.label for i in items] == ["数据准备", "模型选择", "模型训练"]
    assert items[0].blocks[0].lines == ["**数据准备**：收集数据", "  清洗数据"]
    assert pick(items, 2) == (2, items[1])
    assert pick(items, 4) is None and pick(items, 0) is None and pick([], 1) is None


def test_the_list_comes_from_the_latest_turn_that_asked_for_one() -> None:
    users = ["中年危机那篇有哪些步骤？", "第二个呢？"]
    assert earlier_turn("第三个呢？", users, lambda _: False) == 0  # "第二个呢" pointed into the same list
    assert earlier_turn("阶段 2 的第一个技能呢？", users, lambda _: True) is None  # a reference of its own
    assert earlier_turn("第三个呢？", [], lambda _: False) is None


def test_an_ordinal_resolved_against_the_roadmap_stays_there() -> None:
    assert resolved_in_roadmap(Understanding(skills=[8], inherited={"as": "skill 8"}))
    assert not resolved_in_roadmap(Understanding(skills=[5], inherited={"as": "the same topic"}))
    assert not resolved_in_roadmap(None)


def test_the_last_one_is_not_the_next_one() -> None:
    # "最后一个" holds "后一个" (the next one): it points into the earlier list, not at the neighbouring skill
    assert not refers_back("最后一个具体说的是什么？", Understanding())
    assert refers_back("那后一个技能呢？", Understanding())


def test_a_faq_entry_quoted_after_the_list_does_not_replace_the_list() -> None:
    """CI, session 20: with the question memory a FAQ entry joined the steps answer after its list; "最后一个"
    still points into the list the answer led with, not the FAQ's questions."""
    lines = ["**数据准备**：收集数据", "**模型选择**：选模型", "**结果分析**：分析结果"]
    steps = Block(1, 0, "list", "", "", lines)
    qa = Block(1, 1, "qa", "", "", ["- 问：怎么防止过拟合？", "  答：正则化。"])
    items = list_items([steps, qa], StructureComposer(lambda: ESSAY).parts(), [_retrieved(ESSAY[0])])
    assert [i.label for i in items] == ["数据准备", "模型选择", "结果分析"]
    assert pick(items, -1) == (3, items[2])
