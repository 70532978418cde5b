"""Follow-ups read in the light of the conversation, study modes, and prerequisite questions, over the shipped
roadmap (no model, no index): what is inherited from an earlier turn, and what the structured answer quotes."""

from __future__ import annotations

from pathlib import Path

import pytest

from tutor.chain.condense import condense_by_rule, continues_document
from tutor.chain.daily_hours import study_hours
from tutor.chain.followup import follow_up_route, in_context, refers_back
from tutor.chain.router import Route
from tutor.chain.structured import compose_structured
from tutor.chain.study_mode import plan_line, study_plan
from tutor.chain.understanding import Understanding, understand
from tutor.curriculum.graph import Prerequisites

REPO = Path(__file__).resolve().parents[3]
ROADMAP = REPO / "corpus" / "ai-learning-roadmap.md"


def _ctx(question: str, earlier: list[str], cur, cfg) -> Understanding | None:
    history = [t for text in earlier for t in (("user", text), ("assistant", "……"))]
    return in_context(question, history, lambda t: understand(t, cur, cfg), cur)


# --- the same reference, another aspect ---------------------------------------------------------


@pytest.mark.parametrize(
    "earlier,question,skills,aspect",
    [
        ("RAG 检索增强要学哪些内容？", "它有什么配套的项目？", [11], "project"),
        ("PyTorch 深度掌握有什么学习资源？", "那它的检验标准是什么", [7], "checks"),
        ("技能点 9 讲什么？", "有没有推荐的教程呢", [9], "resources"),
        ("Tell me what the LangChain skill covers.", "Any hands-on projects for it?", [12], "project"),
        (
            "What resources are there for system design?",
            "And how do I know I've mastered it?",
            [15],
            "checks",
        ),
        ("What is in skill 4?", "how long does that take?", [4], "time"),
    ],
)
def test_an_aspect_only_follow_up_inherits_the_earlier_skill(earlier, question, skills, aspect, cur, cfg):
    u = _ctx(question, [earlier], cur, cfg)
    assert u is not None
    assert u.skills == skills and aspect in u.aspects and u.structured
    assert u.inherited["from"] == earlier and u.to_json()["inherited"]["as"] == "the same topic"


def test_a_stage_follow_up_takes_the_stage_of_the_earlier_skill(cur, cfg):
    u = _ctx("这个阶段一共要学多久？", ["Transformer 架构有哪些检验标准？"], cur, cfg)
    assert u is not None and u.stages == [2] and u.skills == [] and "time" in u.aspects


# --- relative references: the neighbour in the roadmap's order -----------------------------------


@pytest.mark.parametrize(
    "earlier,question,expect",
    [
        ("三个月后我应该会什么？", "下一个里程碑要求什么？", {"milestones": [6]}),
        ("What should I manage by the 6-month mark?", "and the next milestone?", {"milestones": [12]}),
        (
            "What should I manage by the 6-month mark?",
            "What about the milestone before that?",
            {"milestones": [3]},
        ),
        ("12 个月后要达到什么？", "那上一个里程碑呢", {"milestones": [6]}),
        ("阶段 1 要学多久？", "那下一个阶段呢？", {"stages": [2]}),
        ("How long is stage 4?", "And the previous stage?", {"stages": [3]}),
        ("技能点 12 的项目有哪些？", "下一个技能的呢？", {"skills": [13]}),
        ("What are the projects of skill 5?", "and for the next skill?", {"skills": [6]}),
    ],
)
def test_next_and_previous_resolve_through_the_roadmap(earlier, question, expect, cur, cfg):
    u = _ctx(question, [earlier], cur, cfg)
    assert u is not None
    for key, value in expect.items():
        assert getattr(u, key) == value, (key, u.to_json())
    assert "next" not in u.aspects  # "下一个" chose the neighbour; it does not ask what comes next
    assert u.structured


def test_the_next_stage_keeps_the_earlier_question(cur, cfg):
    u = _ctx("那下一个阶段呢？", ["阶段 1 要学多久？"], cur, cfg)
    assert u is not None and u.aspects == ["time"] and u.inherited["as"] == "stage 2"


def test_a_chain_of_follow_ups_resolves_turn_by_turn(cur, cfg):
    earlier = ["三个月后我应该会什么？", "那下一个里程碑呢？"]
    u = _ctx("And the one after that?", earlier, cur, cfg)
    assert u is not None and u.milestones == [12]


def test_past_the_last_milestone_the_last_one_stays(cur, cfg):
    u = _ctx("下一个里程碑呢？", ["一年后要达到什么水平？"], cur, cfg)  # the roadmap has none after 12 months
    assert u is not None and u.milestones == [12] and u.inherited["as"] == "the same milestone"


# --- ordinals within what the earlier turn named -------------------------------------------------


@pytest.mark.parametrize(
    "earlier,question,skill",
    [
        ("阶段 2 有哪些技能点？", "其中第二个技能有什么资源？", 8),
        ("阶段 3 主要学什么？", "第一个的检验标准是什么", 9),
        ("阶段 4 都有哪些技能？", "最后那个呢？第三个技能的项目", 15),
        ("Which skills make up stage 1?", "What resources does the second one have?", 5),
        ("What's in stage 3?", "and the last one's projects?", 12),
    ],
)
def test_an_ordinal_picks_a_skill_of_the_earlier_stage(earlier, question, skill, cur, cfg):
    u = _ctx(question, [earlier], cur, cfg)
    assert u is not None and u.skills == [skill] and u.stages == []


def test_without_a_conversation_an_ordinal_skill_is_the_skill_number(cur, cfg):
    assert understand("第二个技能的检验标准是什么？", cur, cfg).skills == [2]
    assert _ctx("第二个技能的检验标准是什么？", [], cur, cfg) is None


# --- what is not inherited -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "earlier,question",
    [
        ("三个月后应该会什么？", "那半年呢"),  # names its own milestone
        ("技能点 11 有哪些资源？", "PyTorch 的项目有哪些？"),  # names its own skill
        ("我学完了机器学习基础", "下一个该学什么"),  # a progress report: the planner's
        ("I finished the Transformer skill.", "What's next for me?"),
        ("学习建议里理论和实践的时间怎么分配？", "项目应该按什么顺序做？"),  # the earlier turn names nothing
    ],
)
def test_nothing_is_inherited_when_the_follow_up_needs_nothing(earlier, question, cur, cfg):
    assert _ctx(question, [earlier], cur, cfg) is None


def test_a_question_naming_its_own_reference_does_not_refer_back(cur, cfg):
    q = "阶段 3 的检验标准有哪些？"
    assert not refers_back(q, understand(q, cur, cfg))
    q = "What about the milestone after that?"
    assert refers_back(q, understand(q, cur, cfg))


def test_what_comes_after_it_asks_the_roadmap_not_the_planner(cur, cfg):
    u = _ctx("What comes after it in the roadmap?", ["Tell me about the RAG skill."], cur, cfg)
    assert u is not None and u.skills == [11] and u.aspects == ["next"]
    route = follow_up_route(Route("next_step", "asks what to learn next"), u, "What comes after it?")
    assert route.kind == "material" and "the same topic" in route.reason
    reported = follow_up_route(Route("next_step", "x"), u, "我学完它了，接下来学什么？")
    assert reported.kind == "next_step"
    assert follow_up_route(Route("next_step", "x"), None, "接下来学什么").kind == "next_step"


# --- study modes --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text,hours",
    [
        ("每天两三个小时", 2.5),
        ("8 hours a day", 8.0),
        ("a couple of hours each night", 2.0),
        ("1-2 小时", 1.5),
    ],
)
def test_study_hours(text, hours):
    assert study_hours(text) == hours


@pytest.mark.parametrize(
    "text,plan",
    [
        ("我每天下班后学", "业余"),
        ("full-time learner", "全职"),
        ("I can study about 7 hours a day", "全职"),
        ("每天只有三个小时", "业余"),
        ("weekends only", "业余"),
    ],
)
def test_study_plan_by_mode_or_hours(text, plan, cur):
    found = study_plan(text, cur)
    assert found is not None and plan in found.heading


def test_no_mode_no_plan(cur):
    assert study_plan("阶段 2 要多久？", cur) is None


def test_a_stage_time_question_with_a_mode_quotes_the_plans_line(cur, cfg):
    q = "晚上和周末学的话，阶段 1 要多久？"
    out = compose_structured(understand(q, cur, cfg), cur, ROADMAP, "zh", None, q)
    assert out is not None
    part_time = study_plan(q, cur)
    assert part_time is not None and plan_line(part_time, 1) == "阶段 1：4 个月"
    assert "阶段 1：4 个月 [1]" in out.text
    assert [s.headings for s in out.sources] == [[part_time.heading]]  # the plan holds the number


def test_a_skill_time_question_with_a_mode_quotes_its_stages_line(cur, cfg):
    q = "If I study full time, how long will Prompt Engineering take?"
    out = compose_structured(understand(q, cur, cfg), cur, ROADMAP, "en", None, q)
    assert out is not None and "阶段 3：2 个月" in out.text and "全职学习" in out.sources[0].headings[0]


def test_without_a_mode_the_stage_time_answer_is_unchanged(cur, cfg):
    q = "阶段 1 要学多长时间？"
    out = compose_structured(understand(q, cur, cfg), cur, ROADMAP, "zh", None, q)
    assert out is not None and "时长：2-3 个月" in out.text and "全职学习：2 个月" in out.text


# --- prerequisites ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "question,skills,stages",
    [
        ("学 LangChain 之前要准备什么？", [12], []),
        ("Before I get going with LangChain, what should be in place?", [12], []),
        ("进入阶段 4 以前得会哪些？", [], [4]),
        ("What's needed prior to the RAG skill?", [11], []),
        ("想学强化学习，需要先学完哪些？", [17], []),
    ],
)
def test_before_x_asks_for_prerequisites(question, skills, stages, cur, cfg):
    u = understand(question, cur, cfg)
    assert "prerequisites" in u.aspects and u.skills == skills and u.stages == stages


@pytest.mark.parametrize(
    "question",
    [
        "我之前学过 Python，RAG 有哪些资源？",
        "I've used PyTorch before. What projects does skill 7 have?",
        "What does stage 4 expect before I move on?",
        "Should I learn RAG or fine-tuning first?",
    ],
)
def test_the_learners_past_or_a_choice_is_no_prerequisites_question(question, cur, cfg):
    assert "prerequisites" not in understand(question, cur, cfg).aspects


def _answer(question: str, language: str, cur, cfg):
    u = understand(question, cur, cfg)
    return compose_structured(u, cur, ROADMAP, language, Prerequisites(cur, cfg), question)


def test_a_named_prerequisite_asked_for_its_content_answers_with_it(cur, cfg):
    out = _answer("做大模型应用前，数学这块具体要会哪些内容？", "zh", cur, cfg)
    assert out is not None
    assert "向量和矩阵运算" in out.text and "贝叶斯定理" in out.text
    assert all("数学基础" in " ".join(s.headings) for s in out.sources)  # only the passage that holds it


def test_a_stage_goal_after_the_named_skill_lists_the_stage_before_it(cur, cfg):
    out = _answer("Before the LLM applications stage, is Python enough?", "en", cur, cfg)
    assert out is not None and "Transformer 架构" in out.text  # stage 2 comes right before stage 3


def test_the_core_path_up_to_the_skill_is_quoted_and_cited(cur, cfg):
    out = _answer("Following the core path, what do I go through before LangChain?", "en", cur, cfg)
    assert out is not None
    assert "数学基础 → 机器学习 → 深度学习 → NLP → Transformer → 大模型应用 → LangChain [1]" in out.text
    assert out.sources[0].headings == ["核心路径"] and "数学基础 → 机器学习" in out.sources[0].text


def test_without_the_core_path_named_its_order_leads_then_the_stages(cur, cfg):
    # the roadmap states no prerequisites as such: what comes before is its order (the core path, cited to
    # the section that holds it), then the stages before the skill's own
    out = _answer("学 LangChain 之前要先学完哪些？", "zh", cur, cfg)
    assert out is not None
    first = next(line for line in out.text.splitlines() if line.startswith("- "))
    assert "核心路径" in first and "大模型应用 → LangChain [1]" in first
    assert out.sources[0].headings == ["核心路径"]
    assert any(s.headings[-1].startswith("阶段 2") for s in out.sources)


def test_the_core_path_names_a_skill_by_its_abbreviation(cur, cfg):
    # the core path says "NLP" for 自然语言处理 (configs/curriculum.yaml core_path_aliases)
    out = _answer("学 NLP 前面要先学完啥", "zh", cur, cfg)
    assert out is not None and "数学基础 → 机器学习 → 深度学习 → NLP [1]" in out.text


def test_a_named_prerequisite_asked_about_is_no_core_path_question(cur, cfg):
    out = _answer("学深度学习之前数学要补哪些？", "zh", cur, cfg)
    assert out is not None and not any(s.headings == ["核心路径"] for s in out.sources)


@pytest.mark.parametrize(
    "question",
    ["第二阶段深度学习实践主要学啥", "What's covered in stage 2, the deep learning practice one?"],
)
def test_a_stage_named_by_number_and_title_is_no_skill_question(question, cur, cfg):
    # the stage's title holds a skill's name (深度学习实践 ⊃ 深度学习): the title names the stage
    u = understand(question, cur, cfg)
    assert u.stages == [2] and u.skills == []


def test_a_skill_named_beside_a_stage_stays_named(cur, cfg):
    assert understand("What does stage 1 say about deep learning theory?", cur, cfg).skills == [5]


def test_what_are_the_stages_asks_for_the_whole_roadmap(cur, cfg):
    u = understand("Give me the big picture: what are the stages and roughly how long is each?", cur, cfg)
    assert u.whole_roadmap and "stages" in u.aspects


def test_english_inflections_match_a_skill_alias(cur, cfg):
    assert understand("Before deploying anything, what should I know?", cur, cfg).skills == [13]


# --- the earlier turn's article -----------------------------------------------------------------


def _names_doc(text: str) -> bool:  # stands in for StructureComposer.names_doc: an article named by its topic
    return "中年危机" in text or "midlife" in text


def _names_own(text: str) -> bool:
    return "技能点" in text or "阶段" in text


@pytest.mark.parametrize(
    "question,continues",
    [
        ("第三步具体怎么做？", True),
        ("What does step 4 involve?", True),
        ("逆袭那篇文章呢？中年危机的步骤", False),  # names an article of its own
        ("阶段 2 要学多久？", False),  # names a roadmap reference of its own
    ],
)
def test_a_follow_up_without_a_pronoun_continues_the_earlier_article(question, continues):
    history = [("user", "中年危机那篇文章讲了哪些步骤？"), ("assistant", "……")]
    assert continues_document(question, history, _names_doc, _names_own) is continues
    condensed = condense_by_rule(question, history, None, _names_own, _names_doc)
    assert ("中年危机" in condensed) is (continues or "中年危机" in question)


def test_no_article_in_the_earlier_turn_nothing_to_continue():
    history = [("user", "RAG 有哪些资源？")]
    assert not continues_document("第三步具体怎么做？", history, _names_doc, _names_own)
    assert not continues_document("第三步具体怎么做？", [], _names_doc, _names_own)


# --- ans13: a bare number after a milestone question; a parallel question about another part of an essay ----


@pytest.mark.parametrize(
    "earlier,question,months",
    [
        ("What should I be able to do after 3 months?", "And after 6?", [6]),
        ("三个月后应该达到什么水平？", "那 12 呢？", [12]),
        (
            "What should I be able to do after 3 months?",
            "And after 5?",
            [3],
        ),  # no 5-month milestone: the same one
    ],
)
def test_a_bare_number_after_a_milestone_question_is_that_milestone(earlier, question, months, cur, cfg):
    u = _ctx(question, [earlier], cur, cfg)
    assert u is not None and u.milestones == months and "milestone" in u.aspects


def test_a_parallel_follow_up_keeps_the_essay_and_drops_the_earlier_subject():
    def names_doc(text: str) -> bool:
        return "opinion leader" in text or "意见领袖" in text

    earlier = [("user", "What does the opinion leader essay say about technical consulting?")]
    out = condense_by_rule("What about starting a company?", earlier, None, lambda t: False, names_doc)
    assert "opinion leader essay" in out and "starting a company" in out and "consulting" not in out
    out = condense_by_rule(
        "那技术创业呢？",
        [("user", "意见领袖那篇文章里技术咨询是怎么做的？")],
        None,
        lambda t: False,
        names_doc,
    )
    assert "意见领袖" in out and "技术创业" in out and "咨询" not in out
    # a pronoun keeps the earlier subject ("its downsides": lifelong learning's)
    earlier = [("user", "What are the advantages of lifelong learning in the opinion leader essay?")]
    out = condense_by_rule("What about its downsides?", earlier, None, lambda t: False, names_doc)
    assert "lifelong learning" in out


# --- the referent is what the earlier answer gave: the recommended skill, the stage pointed at ----------------


def _recommended_ctx(question: str, earlier: list[str], cur, cfg, nxt: int | None) -> Understanding | None:
    history = [("user", text) for text in earlier]
    return in_context(question, history, lambda t: understand(t, cur, cfg), cur, lambda _report: nxt)


@pytest.mark.parametrize(
    "question,aspect",
    [
        ("那个技能有啥推荐资源吗", "resources"),
        ("它的检验标准呢？", "checks"),
        ("Any projects for that skill?", "project"),
    ],
)
def test_an_aspect_after_a_progress_report_is_about_the_recommended_skill(cur, cfg, question, aspect) -> None:
    u = _recommended_ctx(question, ["我刚学完 Python 基础，下一步该学啥？"], cur, cfg, 2)
    assert u is not None and u.skills == [2] and u.aspects[0] == aspect
    assert "recommended" in u.inherited["as"]


@pytest.mark.parametrize(
    "question",
    [
        "ok so what's the next skill, and what resources does it recommend?",  # asks what is next: the planner's
        "那理论和写代码的时间怎么分配比较好？",  # no aspect of a skill
        "RAG 有什么资源？",  # a reference of its own
        "我学完了数学，那个技能有啥资源",  # a progress report of its own
    ],
)
def test_a_progress_report_gives_no_referent_to_other_follow_ups(cur, cfg, question) -> None:
    u = _recommended_ctx(question, ["我刚学完深度学习原理。"], cur, cfg, 6)
    assert u is None or u.skills != [6]


def test_without_a_recommender_a_progress_report_stays_the_planners(cur, cfg) -> None:
    history = [("user", "我刚学完 Python 基础，下一步该学啥？")]
    assert in_context("那个技能有啥推荐资源吗", history, lambda t: understand(t, cur, cfg), cur) is None


def test_that_stage_points_back_even_when_a_number_reads_as_a_milestone(cur, cfg) -> None:
    question = "how long would that stage take if I can only study in the evenings, like 2-3 hrs a day?"
    own = understand(question, cur, cfg)
    assert refers_back(question, own)
    u = _ctx(question, ["which skills are in the deep learning practice stage?"], cur, cfg)
    assert u is not None and u.stages == [2] and not u.milestones and "time" in u.aspects


@pytest.mark.parametrize(
    "earlier,question",
    [
        ("全职学习要多久？", "那业余呢？"),
        (
            "How long does the whole roadmap take if I study full-time?",
            "And if I only have evenings and weekends?",
        ),
    ],
)
def test_the_whole_roadmaps_time_is_inherited_under_another_pace(earlier, question, cur, cfg) -> None:
    u = _ctx(question, [earlier], cur, cfg)
    assert u is not None and u.whole_roadmap and "time" in u.aspects and u.structured


@pytest.mark.parametrize(
    "earlier,question,left",
    [
        (
            "How long does the full-time plan take in total?",
            "what if I can only do it on the side?",
            "full-time",
        ),
        ("全职学的话每个阶段要多久？", "那业余时间学呢？它每个阶段多久", "全职"),
    ],
)
def test_a_pace_of_the_follow_up_replaces_the_earlier_ones(earlier, question, left) -> None:
    standalone = condense_by_rule(question, [("user", earlier)])
    assert left not in standalone


@pytest.mark.parametrize("question", ["学完它下一个技能是啥", "Once I've finished it, what's next?"])
def test_finishing_it_then_next_is_a_progress_report_for_the_planner(question, cur, cfg) -> None:
    u = _ctx(question, ["强化学习那部分讲了什么？"], cur, cfg)
    assert u is not None and u.structured
    assert follow_up_route(Route("next_step", "asks what to learn next"), u, question).kind == "next_step"
