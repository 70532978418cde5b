"""One reading of "what comes next" (`tutor.whats_next`), shared by the router, the query understanding's
"next" aspect and the retrieval's next-skill boost (issue 12): a phrasing one of them reads as a next step,
the others read the same way."""

from __future__ import annotations

from pathlib import Path

import pytest

from tutor.chain.router import route_message
from tutor.chain.understanding import understand
from tutor.curriculum.graph import load_curriculum_config
from tutor.curriculum.parser import load_curriculum
from tutor.index import sections
from tutor.whats_next import asks_next_step, reports_and_asks, says_next

REPO = Path(__file__).resolve().parents[2]

# progress reports with a question of where to go, many phrasings, zh and en; a stage or skill named in each
REPORTS = [
    "工程化都学完了，还有什么可以继续深入的？",
    "RAG 搞定了，后面还有什么要学？",
    "阶段 2 学好了，该进入哪个阶段？",
    "NLP 都过了，然后呢？",
    "I just wrapped up prompt engineering. Which skill comes right after it?",
    "Finished stage 2, what do I start on now?",
    "Got comfortable with PyTorch. Where do I go from here?",
    "I'm done with LangChain, is there anything left beyond it?",
    "Finished reading the BERT paper last week. What should I read now?",  # a point in time, not a span
    "PyTorch 我已经用得挺熟了，下面轮到学啥？",
    "Transformer 那一节我吃透了，然后该进入什么？",
    "Python, math and Linux/Git are all behind me. What do I start on now?",
    "Got LangChain working in a small app of my own. Where do I go from here?",
    "Prompt engineering is done for me. Which skill should I pick up after it?",
]
NEXT_WORDS = [
    "Transformer 之后学什么？",
    "阶段 3 结束以后呢？",
    "RAG 接下来学哪个？",
    "学完 PyTorch 该做什么？",
    "What comes after stage 1?",
    "After finishing NLP, which skill should I move on to?",
    "What's the next skill after Hugging Face?",
    "系统设计学完以后还能学什么？",  # 还能学 asks what follows; 能做什么 asks the check criteria
    "BERT 读完了，接着读 GPT-3 吗？",
]
NOT_NEXT = [
    "学完 RAG 要多久？",  # a duration
    "学完阶段 2 能做什么？",  # what one can do: the check criteria
    "阶段 2 三个月以后应该达到什么水平？",  # a milestone
    "What does stage 2 cover?",
    "I finished reading the midlife essay, what is its main point?",  # no where-to-go
    "What will I be able to do after six months?",
    "What should I learn in stage 3 next month?",  # "next month" is a time
    "Python 熟了吗？怎么判断",  # no where-to-go
]

PREREQUISITES = ["学 PyTorch 之前要先学完哪个阶段？", "想学强化学习，需要先完成哪个阶段的技能？"]


@pytest.mark.parametrize("question", PREREQUISITES)
def test_what_must_be_done_first_is_no_progress_report(question: str) -> None:
    assert not reports_and_asks(question)
    assert route_message(question).kind == "material"


def test_a_progress_report_asking_for_resources_is_a_resource_question() -> None:
    assert route_message("Python 熟了，该学哪些资源？").kind == "material"


@pytest.mark.parametrize("question", REPORTS)
def test_a_progress_report_and_where_now_is_one_reading(question: str) -> None:
    assert reports_and_asks(question)
    assert asks_next_step(question)
    assert route_message(question).kind == "next_step"


@pytest.mark.parametrize("question", NEXT_WORDS)
def test_a_next_word_asks_what_comes_next(question: str) -> None:
    assert says_next(question)
    assert asks_next_step(question)


@pytest.mark.parametrize("question", NOT_NEXT)
def test_durations_checks_and_contents_are_not_next(question: str) -> None:
    assert not asks_next_step(question)


def test_the_retrieval_reads_it_from_the_same_module() -> None:
    assert sections.asks_next_step is asks_next_step


@pytest.mark.parametrize("question", NEXT_WORDS)
def test_the_understanding_has_the_next_aspect_where_the_retrieval_boosts_the_next_section(
    question: str,
) -> None:
    curriculum = load_curriculum(REPO / "corpus" / "ai-learning-roadmap.md", 10_000_000)
    u = understand(question, curriculum, load_curriculum_config(REPO / "configs" / "curriculum.yaml"))
    assert (u.skills or u.stages) and "next" in u.aspects


def test_where_now_without_a_next_word_what_is_left_and_what_else_to_learn() -> None:
    """ "之后还能学点啥", "后面还安排了什么", "which skill is still left": a report and where to go from it."""
    from tutor.whats_next import asks_next_step

    assert asks_next_step("工程化阶段全学完了，之后还能学点啥")
    assert asks_next_step("系统设计那一块学完了，路线图后面还安排了什么方向？")
    assert asks_next_step(
        "I've done the fine-tuning skill in stage 4. Which skill in that stage is still left?"
    )
    assert not asks_next_step("学完 RAG 要多久")  # how long, not what follows
    assert not asks_next_step("RAG 里还剩哪些优化方法没讲？")  # no progress report
