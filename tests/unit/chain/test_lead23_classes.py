"""Classes from session 23's held-out set (found after its run was recorded): "month 3 and month 6", content
asked as 学些啥 / "am I supposed to know", a self-check question before a second sentence, the appendix as an
essay's FAQ, 整体上 as no subject to learn, and a bare resources follow-up with 啥 / 或者."""

from __future__ import annotations

from tutor.chain.condense import asks_only_an_aspect, is_follow_up
from tutor.chain.faq_match import names_faq
from tutor.chain.plan_scope import learning_subjects
from tutor.chain.router import route_message
from tutor.chain.understanding import understand


def test_month_n_names_its_milestone(cur, cfg) -> None:
    u = understand("give me the checkpoints for month 3 and month 6 together", cur, cfg)
    assert u.milestones == [3, 6]
    # a month count with no milestone meant names none
    assert understand("I study 2 hours a day, is month 7 too late to start RAG?", cur, cfg).milestones == []


def test_content_asked_in_colloquial_words(cur, cfg) -> None:
    u = understand("模型部署要学些啥？推理加速、服务、容器那些全部列一下", cur, cfg)
    assert u.skills == [13] and u.aspects == ["content"]
    u = understand(
        "In the NLP skill, which ways of turning text into numbers am I supposed to know?", cur, cfg
    )
    assert u.skills == [6] and u.aspects == ["content"]


def test_by_when_and_the_ability_in_one_sentence(cur, cfg) -> None:
    """ "When can I say I've got RAG down? what does the roadmap expect me to be able to do": a self-check, the
    skill's criteria, not the milestone whose item mentions RAG."""
    u = understand(
        "When can I say I've got RAG down? what does the roadmap expect me to be able to do", cur, cfg
    )
    assert u.skills == [11] and u.milestones == [] and u.aspects == ["checks"]
    assert understand("by when should I be able to build a RAG system?", cur, cfg).milestones == [12]


def test_the_appendix_is_looked_in_as_the_faq() -> None:
    assert names_faq("midlife crisis article, the appendix - what does it say about balancing work and life?")
    assert names_faq("附录里怎么说平衡工作和生活")
    assert not names_faq("How do I balance work and life according to the midlife crisis article?")


def test_overall_is_no_subject_to_learn() -> None:
    assert learning_subjects("整体上路线建议按什么顺序做项目？从入门到综合那种") == []
    assert learning_subjects("总体上吉他学习路线是什么") == ["吉他"]


def test_a_bare_resources_follow_up_with_colloquial_words() -> None:
    assert is_follow_up("有啥推荐的书或者教程吗") and asks_only_an_aspect("有啥推荐的书或者教程吗")
    assert not is_follow_up("Python 或者 Go 有推荐的书吗")


def test_the_whole_roadmaps_stated_duration_is_parsed(cur) -> None:
    """ "how long is the whole roadmap? full time vs on the side": the title's one line states both."""
    assert cur.total_time == "总时长：8-13 个月（全职）或 1.5-2 年（业余）"
    assert (
        cur.total_time_citation is not None
        and cur.total_time_citation.lines[0] == cur.total_time_citation.lines[1]
    )


def test_colloquial_world_questions_are_refused_not_small_talk() -> None:
    """ "明天北京天气咋样，要带伞不", "这支股票现在能不能抄底": the material route's refusal, not a chatty steer-back."""
    for question in ("明天北京天气咋样，要带伞不", "帮我看看茅台这支股票现在能不能抄底"):
        routed = route_message(question)
        assert routed.kind == "material" and routed.outside, question
    assert not route_message("你今天心情好不").outside  # about the tutor: small talk, not the world
