"""The planner gets a message only when the learner's own words ask what to learn next: a follow-up rewritten with
the earlier turn's words, or a nearest-example vote, does not send a question about a part of the material there."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.unit.chain.helpers import chunk
from tutor.chain.compose_doc import StructureComposer
from tutor.chain.doc_parts import DocParts, names_a_topic
from tutor.chain.followup import own_words_route
from tutor.chain.router import Route, route_message

ROADMAP = "ai-learning-roadmap"
CHUNKS = [
    chunk(
        ROADMAP,
        "路线",
        ["路线", "学习时间规划", "全职学习（8-13 个月）"],
        10,
        "**每天 8 小时学习**\n- 阶段 0：1 个月",
    ),
    chunk(
        ROADMAP,
        "路线",
        ["路线", "学习时间规划", "业余学习（1.5-2 年）"],
        20,
        "**每天 2-3 小时学习**\n- 阶段 0：2 个月",
    ),
    # a short section shares its parent's chunk: its heading stands inside the text
    chunk(
        ROADMAP,
        "路线",
        ["路线", "推荐资源汇总"],
        30,
        "### 书籍推荐\n- 花书\n\n### 实践平台\n| Google Colab | 免费 GPU |",
    ),
    chunk(ROADMAP, "路线", ["路线", "总结", "学习心态"], 40, "- **持续学习**（AI 发展太快）"),
    chunk(ROADMAP, "路线", ["路线", "阶段 1：AI 理论基础", "技能点 4：机器学习基础"], 50, "- 线性回归"),
]
VOTED = Route("next_step", "closest to the example 'Plan my next month of study' (0.86)")
RULED = Route("next_step", "asks what to learn next")


def _topic() -> Callable[[str], str | None]:
    composer = StructureComposer(lambda: CHUNKS)
    return composer.names_topic


@pytest.mark.parametrize(
    ("question", "heading"),
    [
        ("I don't have a GPU. Are there free platforms to practice on?", "实践平台"),
        ("What about if I can only study part-time?", "业余学习（1.5-2 年）"),
        ("那学习心态上要注意什么？", "学习心态"),
        ("有没有免费的实践平台", "实践平台"),
    ],
)
def test_a_question_names_a_section_by_all_its_heading_words(question: str, heading: str) -> None:
    assert _topic()(question) == heading


@pytest.mark.parametrize(
    "question",
    ["Plan my next month of study", "What should I study after PyTorch?", "先学什么比较好？", "接下来学什么"],
)
def test_planning_questions_name_no_section(question: str) -> None:
    assert _topic()(question) is None


def test_number_words_of_a_heading_are_not_topic_words() -> None:
    parts = DocParts(CHUNKS)
    words = {p[-1]: w for _, p, w in parts.topic_headings()}
    assert words["业余学习（1.5-2 年）"] == {"业余", "学习"}
    assert names_a_topic("业余 学习", parts) == (ROADMAP, ("路线", "学习时间规划", "业余学习（1.5-2 年）"))


@pytest.mark.parametrize(
    ("question", "standalone", "route", "expected"),
    [
        # a nearest-example vote about a part of the material: material
        ("I don't have a GPU. Are there free platforms to practice on?", None, VOTED, "material"),
        ("What about if I can only study part-time?", "if I can only study part-time?", VOTED, "material"),
        # the earlier turn's "下一步学什么" carried into the rewrite does not make it a next step
        ("那学习心态上要注意什么？", "学习心态上要注意什么？ 学完阶段 0，下一步学什么", RULED, "material"),
        # a rule on the learner's own words claims it as a material question
        (
            "Which of those has the best free tier?",
            "Which of platforms has the best free tier?",
            VOTED,
            "material",
        ),
        # the learner's own words ask what next: the planner
        ("And after that?", "after I finished stage 1 's next?", RULED, "next_step"),
        ("那再下一步呢？", "再下一步呢？ 学完阶段 1 之后学什么", RULED, "next_step"),
        # a rule on the message itself, or a progress report, stands even beside a section's words
        ("学完实践平台之后学什么", None, RULED, "next_step"),
        ("I finished stage 1. Any free practice platforms?", None, VOTED, "next_step"),
        # a vote with no section named stays
        ("Plan my next month of study", None, VOTED, "next_step"),
    ],
)
def test_the_planner_only_when_the_learners_own_words_ask_what_next(
    question: str, standalone: str | None, route: Route, expected: str
) -> None:
    def own(text: str) -> Route:  # the rules, then the router's vote for what they leave open
        ruled = route_message(text)
        if ruled.reason != "a question about the material":
            return ruled
        if "free tier" in text:  # `Router.route`: a vote needs a word about learning or progress
            return Route(
                "material", "no word about learning or progress (a near next-step example was not enough)"
            )
        return VOTED

    got = own_words_route(route, question, standalone or question, own, _topic())
    assert got.kind == expected, got.reason


def test_other_routes_pass_through() -> None:
    material = Route("material", "an advice or how-to question: answered from the material")
    assert own_words_route(material, "实践平台有哪些", "实践平台有哪些", route_message, _topic()) is material


def test_worked_through_is_a_report_of_what_is_done() -> None:
    from tutor.chain.own_words import self_reports

    said = self_reports(
        ["I've worked through everything up to and including the engineering stage. What's after?"]
    )
    assert said and "engineering stage" in said[0]
    assert self_reports(["Should I work through the engineering stage first?"]) == []
