"""Requests to do a task outside learning are refused by the material route, not steered back as small talk."""

from __future__ import annotations

import pytest

from tutor.chain.outside import asks_a_task, asks_about_world
from tutor.chain.router import Router, route_message


class _SmallTalkVote:
    """An embedder whose nearest example is always a small-talk one."""

    def embed_query(self, text: str) -> list[float]:
        return [1.0, 0.0]

    def embed_stored(self, texts: list[str]) -> list[list[float]]:
        return [[1.0, 0.0] if t.startswith("hi") else [0.0, 1.0] for t in texts]


_TASKS = [
    "帮我写一份租房合同",
    "帮我写一封给房东的退租信吧",
    "我最近老失眠，该吃点什么药",
    "茅台股票现在能买吗，帮我分析一下走势",
    "帮我把这段话翻译成日语：明天下午三点开会",
    "Can you draft a tenancy agreement for my flat, with a clause about keeping the deposit?",
    "what's a good pasta recipe",
    "Write me a poem about the ocean.",
    "Could you write a cover letter for a marketing job at a bank?",
]


@pytest.mark.parametrize("text", _TASKS)
def test_a_task_outside_learning_is_not_small_talk(text: str) -> None:
    assert asks_a_task(text) and asks_about_world(text)
    router = Router(_SmallTalkVote(), {"chitchat": ["hi there"], "material": ["material"]})  # type: ignore[arg-type]
    assert router.route(text).kind == "material", text


@pytest.mark.parametrize(
    "text",
    ["给我讲个故事", "sing a song for me", "讲个笑话吧", "你喜欢什么颜色？", "你吃饭了吗？", "hey there"],
)
def test_entertainment_and_remarks_to_the_tutor_stay_small_talk(text: str) -> None:
    assert not asks_a_task(text)
    router = Router(_SmallTalkVote(), {"chitchat": ["hi there"], "material": ["material"]})  # type: ignore[arg-type]
    assert router.route(text).kind == "chitchat", text


def test_an_off_topic_word_with_a_task_is_refused_outright() -> None:
    """A stock or poem word marks it outside the material: refused whatever retrieval scores."""
    for text in ("茅台股票现在能买吗，帮我分析一下走势", "帮我写一首诗吧"):
        routed = route_message(text)
        assert routed.kind == "material" and routed.outside, text


@pytest.mark.parametrize(
    "text",
    ["帮我列一下 Python 编程的检验标准", "RAG 的文档切分策略怎么写？", "Write a summary of stage 2 for me"],
)
def test_learning_requests_are_not_tasks_outside_learning(text: str) -> None:
    assert not asks_a_task(text)


def test_stock_picks_are_a_task_and_a_question_about_an_essay_is_never_small_talk() -> None:
    assert asks_a_task("推荐几只 AI 概念股，明年能翻倍的那种。")
    router = Router(_SmallTalkVote(), {"chitchat": ["hi there"], "material": ["material"]})  # type: ignore[arg-type]
    assert (
        router.route("What does the comeback essay list as the challenges you run into?").kind == "material"
    )


@pytest.mark.parametrize(
    "text",
    [
        "好嘞，先这样，拜拜",
        "hey, how's it going?",
        "你平时喜欢看什么书？",
        "What's your favourite programming language?",
    ],
)
def test_closings_how_it_is_going_and_the_tutors_own_likes_are_small_talk(text: str) -> None:
    assert route_message(text).kind == "chitchat", text


def test_a_task_no_rule_claims_is_refused_outright_unless_it_names_the_roadmap() -> None:
    """ "Plan a birthday party" scores close to a milestone passage: refused whatever retrieval scores."""
    from types import SimpleNamespace

    for text in (
        "Please plan a birthday party for my 6-year-old daughter.",
        "给我做一份三天两夜的杭州旅游攻略",
    ):
        routed = Router().route(text)
        assert routed.kind == "material" and routed.outside, text
    assert not Router().route("写代码没有信心怎么办").outside  # 信心 is no letter
    understood = SimpleNamespace(
        stages=[3], skills=[], milestones=[], evidence={}, aspects=[], structured=False
    )
    names = Router(understand=lambda t: understood)
    assert not names.route("帮我给阶段 3 的 RAG 项目写一份合同模板").outside  # names the roadmap: searched


def test_a_task_near_a_small_talk_example_is_refused_outright() -> None:
    router = Router(_SmallTalkVote(), {"chitchat": ["hi there"], "material": ["material"]})  # type: ignore[arg-type]
    routed = router.route("Can you analyse Tesla's share price and tell me whether to sell?")
    assert routed.kind == "material" and routed.outside
    assert not asks_a_task("Should I buy a GPU to learn deep learning?")  # buying, not shares


def test_a_task_a_near_next_step_example_sent_to_the_material_is_refused_outright() -> None:
    class _NextVote:  # an embedder whose nearest example is always a next-step one
        def embed_query(self, text: str) -> list[float]:
            return [1.0, 0.0]

        def embed_stored(self, texts: list[str]) -> list[list[float]]:
            return [[1.0, 0.0] if t.startswith("next") else [0.0, 1.0] for t in texts]

    router = Router(_NextVote(), {"next_step": ["next: what now"], "material": ["material"]})  # type: ignore[arg-type]
    routed = router.route("Please plan a birthday party for my 6-year-old daughter.")
    assert routed.kind == "material" and routed.outside
