"""The next item of one of the material's ordered lists (projects, papers) for a learner who reports items of it
done (`tutor.chain.list_next`, issue 12): the list's order answers, not the planner's next skill."""

from __future__ import annotations

import pytest

from tutor.chain.answer import Answer, Source
from tutor.chain.list_next import asks_list_item, list_next_answer, next_in_list, ordered_lists

PROJECTS = Source(
    n=1,
    id="p",
    doc="ai-learning-roadmap",
    title="t",
    headings=["学习建议", "2. 项目驱动学习"],
    text="**建议的项目序列**\n1. 手写数字识别（入门）\n2. 文本情感分析（NLP 入门）\n3. 聊天机器人（LLM 应用）\n"
    "4. 企业知识库问答（RAG）\n5. 完整的 AI 应用（综合）\n",
)
SKILL_5 = Source(
    n=2,
    id="s",
    doc="ai-learning-roadmap",
    title="t",
    headings=["阶段 1", "技能点 5：深度学习原理", "实践项目"],
    text="1. MNIST 手写数字识别（MLP）\n2. CIFAR-10 图像分类（CNN）\n3. 文本情感分析（RNN）\n",
)
PAPERS = Source(
    n=3,
    id="r",
    doc="ai-learning-roadmap",
    title="t",
    headings=["推荐资源汇总", "必读经典论文（按重要性排序）"],
    text="1. **Attention Is All You Need** (Transformer)\n   - 链接：https://arxiv.org/abs/1706.03762\n\n"
    "2. **BERT: Pre-training of Deep Bidirectional Transformers**\n   - 链接：x\n\n"
    "3. **GPT-3: Language Models are Few-Shot Learners**\n",
)


def test_a_numbered_list_with_sub_lines_is_one_list() -> None:
    assert [len(items) for items in ordered_lists(PAPERS.text)] == [3]
    assert ordered_lists("1. a\n2. b\n") == []  # too short to be a sequence


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("手写数字识别和文本情感分析这两个项目都做完了，接下来做什么项目好？", "聊天机器人（LLM 应用）"),
        (
            "I built the text sentiment analysis project. Which project comes after that one?",
            "聊天机器人（LLM 应用）",
        ),
        (
            "I've read Attention Is All You Need. Which paper should I read next?",
            "BERT: Pre-training of Deep Bidirectional Transformers",
        ),
        (
            "Attention Is All You Need 和 BERT 这两篇论文我都读完了，接着读哪篇？",
            "GPT-3: Language Models are Few-Shot Learners",
        ),
    ],
)
def test_the_item_after_the_last_one_named_in_the_list_that_names_most(question: str, expected: str) -> None:
    assert asks_list_item(question)
    got = next_in_list(question, [SKILL_5, PROJECTS, PAPERS])
    assert got is not None and got.next_item == expected


def test_a_skill_question_is_the_planners() -> None:
    assert not asks_list_item("Transformer 学完了，接下来学什么？")
    assert not asks_list_item("这个项目要做多久？")  # no next step


def test_the_answer_quotes_and_cites_the_list_only() -> None:
    answer = Answer(
        question="聊天机器人那个项目我已经做出来了，下一个练手项目该做哪个？",
        standalone_question="聊天机器人那个项目我已经做出来了，下一个练手项目该做哪个？",
        language="zh",
        route="next_step",
        route_reason="",
        text="",
    )
    assert list_next_answer(answer, lambda q: [PAPERS, PROJECTS])
    assert "**企业知识库问答（RAG）** [1]" in answer.text
    assert [s.headings[-1] for s in answer.sources] == ["2. 项目驱动学习"]
    none = answer.model_copy(update={"question": "聊天机器人之后学什么？"})
    assert not list_next_answer(none, lambda q: [PROJECTS])
