"""A labelled essay step asked for by paraphrase: the learner's words for its title, or a bullet it holds."""

from __future__ import annotations

import json

from tutor.chain.answer import Source
from tutor.chain.doc_parts import DocParts
from tutor.chain.essay_steps import labelled_step, names_step
from tutor.index.store import StoredChunk

STEPS = ["3. 核心算法原理 & 具体操作步骤", "3.2 算法步骤详解"]
TEXT = (
    "**Step 1: 洞察技术变革**\n- 关注行业动态：订阅行业新闻。\n\n"
    "**Step 2: 持续自我提升**\n- 制定学习计划：根据目标制定计划。\n- 坚持学习实践：不断提升。\n\n"
    "**Step 3: 勇于实践创新**\n- 接受挑战：主动承担新项目。"
)
META = {"doc": "comeback", "title": "comeback", "headings": json.dumps(STEPS, ensure_ascii=False)}
PARTS = DocParts(
    [StoredChunk(id="comeback:0", text=TEXT, metadata={**META, "line_start": 5, "line_end": 12})]
)


def _step(question: str, every: bool = False) -> list[str]:
    steps = PARTS.steps("comeback")
    assert steps is not None
    sources: list[Source] = []
    return [b.label for b in labelled_step(PARTS, "comeback", steps, question, sources, every)]


def test_the_learners_words_for_a_title_name_the_step() -> None:
    assert names_step("持续自我提升", "要不断提升自己")  # 不断 -> 持续, 自己 -> 自我
    assert names_step("勇于实践创新", "敢于实践创新这一步")
    assert not names_step("持续自我提升", "要不断学习")


def test_a_step_named_whole_is_quoted_even_when_its_steps_are_asked_for() -> None:
    assert _step("要不断提升自己，具体分哪几步做？", every=True) == ["Step 2: 持续自我提升"]
    assert _step("逆袭那篇分哪几步？", every=True) == []  # the steps as a whole: the outline


def test_a_bullet_the_question_names_picks_its_step() -> None:
    assert _step("how do I set up a learning plan 学习计划") == ["Step 2: 持续自我提升"]
    assert _step("怎么订阅新闻") == []  # no four characters of a bullet label
