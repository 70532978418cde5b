"""Phrasings learners used on the held-out set of session 13 that the rules read wrongly (issue 12).

Each is a class, not a sentence: a greeting followed by pleasantries is small talk; "before I consider X done" asks
X's own criteria; "what's stage 0 about" asks its content; a list of finished skills after a comma is still what the
learner finished, and what comes after several finished skills is what comes after the latest of them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tutor.chain.own_words import self_reports
from tutor.chain.router import route_message
from tutor.chain.structured import compose_structured
from tutor.chain.understanding import understand
from tutor.curriculum.graph import Prerequisites

ROADMAP = Path(__file__).resolve().parents[3] / "corpus" / "ai-learning-roadmap.md"


@pytest.mark.parametrize(
    "text",
    [
        "你好呀，第一次来用，请多指教",
        "hi, I'm new here, nice to meet you!",
        "您好，初次见面，多多关照",
        "ok, thanks!",
    ],
)
def test_a_greeting_with_pleasantries_is_small_talk(text: str) -> None:
    assert route_message(text).kind == "chitchat"


@pytest.mark.parametrize(
    "text", ["你好，第一次来用，RAG 有哪些资源？", "hi, I'm new here — what should I learn first?"]
)
def test_a_question_after_a_greeting_is_not_small_talk(text: str) -> None:
    assert route_message(text).kind != "chitchat"


def test_before_i_consider_it_done_asks_its_criteria(cur, cfg) -> None:
    for question in (
        "What should I be able to do before I consider the Transformer skill done?",
        "Before I count stage 2 as finished, what should I be able to do?",
    ):
        u = understand(question, cur, cfg)
        assert "checks" in u.aspects and "prerequisites" not in u.aspects, question
    u = understand("What do I need to know before I consider learning RAG?", cur, cfg)
    assert "prerequisites" in u.aspects  # considering *learning* it: what comes first


def test_what_a_stage_is_about_and_how_long_gets_both(cur, cfg) -> None:
    question = "What's stage 0 about and how long does it take?"
    u = understand(question, cur, cfg)
    assert {"content", "time"} <= set(u.aspects)
    s = compose_structured(u, cur, ROADMAP, "en", Prerequisites(cur, cfg), question)
    assert s is not None
    assert (
        "Python 编程" in s.text and "数学基础" in s.text and "Linux 和 Git" in s.text and "1-2 个月" in s.text
    )


def test_a_finished_list_after_a_comma_is_all_finished() -> None:
    said = self_reports(
        ["I've wrapped up deployment, fine-tuning and system design. Is there anything after that?"]
    )
    assert len(said) == 1 and "system design" in said[0] and "deployment" in said[0]
    # what the learner wants next is not what they finished
    assert self_reports(["I finished stage 1, now I want to learn RAG and LangChain"]) == [
        "I finished stage 1"
    ]
    assert self_reports(["我学完了 Python，想学 RAG 和 LangChain"]) == ["我学完了 Python"]


def test_after_several_finished_skills_comes_what_follows_the_latest(cur, cfg) -> None:
    question = "I've wrapped up deployment, fine-tuning and system design. What comes after them?"
    u = understand(question, cur, cfg)
    assert "next" in u.aspects and {13, 14, 15} <= set(u.skills)
    s = compose_structured(u, cur, ROADMAP, "en", Prerequisites(cur, cfg), question)
    assert s is not None
    assert "多模态 AI" in s.text and "Next in the roadmap: Skill 14" not in s.text


def test_anything_after_that_asks_what_comes_next() -> None:
    assert route_message("I've finished stage 4. Is there anything after that?").kind == "next_step"


def test_a_skill_named_with_an_explain_word_still_asks_its_content(cur, cfg) -> None:
    """原理 in the skill's own name (深度学习原理) is no "why" question: the syllabus is asked."""
    question = "深度学习原理这部分都要学哪些内容"
    u = understand(question, cur, cfg)
    assert u.skills == [5] and "content" in u.aspects
    s = compose_structured(u, cur, ROADMAP, "zh", Prerequisites(cur, cfg), question)
    assert s is not None
    assert all(x in s.text for x in ("神经网络基础", "卷积神经网络", "循环神经网络", "优化技巧"))


def test_stages_before_a_stage_name_every_earlier_stage(cur, cfg) -> None:
    question = "进入大模型应用阶段之前，要先学完哪些阶段？"
    u = understand(question, cur, cfg)
    s = compose_structured(u, cur, ROADMAP, "zh", Prerequisites(cur, cfg), question)
    assert s is not None
    assert all(x in s.text for x in ("基础准备", "AI 理论基础", "深度学习实践"))


def test_daily_hours_with_nothing_named_ask_the_whole_plan(cur, cfg) -> None:
    question = "我只能下班后学，每天两三个小时，大概要学多久？"
    u = understand(question, cur, cfg)
    assert u.whole_roadmap and "time" in u.aspects
    s = compose_structured(u, cur, ROADMAP, "zh", Prerequisites(cur, cfg), question)
    assert s is not None
    assert "22 个月" in s.text and "11-13 个月" not in s.text  # the part-time plan, with its extra time
