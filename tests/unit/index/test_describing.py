"""The descriptive part of a concept question: meta clauses, lead-ins and tails cut, nothing else."""

from __future__ import annotations

import pytest

from tutor.index.describing import descriptive


@pytest.mark.parametrize(
    ("question", "part"),
    [
        (
            "有没有那种不用人打标签、让电脑自己把相似的数据归成几类的方法？路线图里在哪学？",
            "不用人打标签、让电脑自己把相似的数据归成几类",
        ),
        ("不需要标签、自动把数据点分成几堆的方法，属于哪块内容？", "不需要标签、自动把数据点分成几堆"),
        ("把很多维的数据压到两三维的那种方法，路线里在哪一块讲的？", "把很多维的数据压到两三维"),
        (
            "Is there something that groups unlabeled data points into clusters, and where does the roadmap "
            "teach it?",
            "groups unlabeled data points into clusters",
        ),
        (
            "There's a trick where neurons are randomly switched off in training — which part of the roadmap "
            "covers it?",
            "neurons are randomly switched off in training",
        ),
    ],
)
def test_meta_parts_are_cut(question: str, part: str) -> None:
    assert descriptive(question) == part


@pytest.mark.parametrize(
    "question",
    [
        "在技术变革中逆袭的关键是什么？",  # no meta part: the question itself, punctuation and all
        "Which skill covers cutting away the weights a network doesn't really need, to make it smaller?",
        "Where do I learn about agents that alternate between reasoning steps and calling tools?",
        "在哪学？",  # nothing descriptive left
    ],
)
def test_a_question_without_meta_parts_is_kept_whole(question: str) -> None:
    assert descriptive(question) == question


def test_the_colloquial_name_question_is_a_meta_part() -> None:
    from tutor.index.describing import descriptive

    assert "叫啥" not in descriptive("让模型一步步写出推理过程的那种方法叫啥")


@pytest.mark.parametrize(
    ("question", "described"),
    [
        (
            "有一种技术是先从知识库里把相关内容找出来，再让大模型基于它回答。路线里它属于哪个技能点，要学哪些东西？",
            "先从知识库里把相关内容找出来，再让大模型基于它回答",
        ),
        (
            "模型只会死记训练集、一换新数据就拉胯，这个问题路线里在哪学？相关概念有哪些",
            "模型只会死记训练集、一换新数据就拉胯",
        ),
        ("先查资料再让大模型回答的技术，路线里叫什么？", "先查资料再让大模型回答"),
    ],
)
def test_what_to_learn_there_and_where_it_sits_are_meta_parts(question: str, described: str) -> None:
    """ "要学哪些东西", "相关概念有哪些", "路线里它属于哪个技能点": asked beside where, they describe nothing."""
    assert descriptive(question) == described
