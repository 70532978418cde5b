"""Round 21: a stage the learner describes instead of numbering, read against each stage's profile built from the
roadmap (its title words, its skills' names, content group titles and items), with a margin (issue 12)."""

from __future__ import annotations

from tutor.chain.stage_profile import described_stage, stage_scores
from tutor.chain.understanding import understand


def test_a_stage_described_by_its_theme_is_read_as_that_stage(cur, cfg) -> None:
    u = understand("What's taught in the phase about shipping models to production?", cur, cfg)
    assert u.stages == [4] and not u.skills
    zh = understand("讲多模态和强化学习这类前沿内容的那个阶段包括什么？", cur, cfg)
    assert zh.stages == [5] and not zh.skills  # the skills only described their stage


def test_two_skills_of_one_stage_or_its_title_words_vote_for_it(cur, cfg) -> None:
    u = understand(
        "How many months for the stage where you learn linear algebra and python basics?", cur, cfg
    )
    assert u.stages == [0] and "time" in u.aspects
    assert understand("偏理论的那个阶段要多久？", cur, cfg).stages == [1]


def test_a_skill_named_alone_before_the_stage_word_stays_that_skill(cur, cfg) -> None:
    u = understand("RAG 阶段有什么练手项目？", cur, cfg)
    assert u.skills == [11] and not u.stages
    en = understand("Which tools does the LangChain part of the roadmap cover?", cur, cfg)
    assert en.skills == [12] and not en.stages


def test_a_numbered_stage_stays_and_a_vague_word_names_no_stage(cur, cfg) -> None:
    assert understand("阶段 2 那个偏理论的部分讲什么？", cur, cfg).stages == [2]
    assert described_stage("What should I learn in that stage?", cur, [], {}) is None


def test_a_stage_counted_from_the_end_overrides_the_ordinal(cur, cfg) -> None:
    assert understand("倒数第二个阶段学什么？", cur, cfg).stages == [4]
    assert understand("What is in the penultimate stage?", cur, cfg).stages == [4]


def test_the_stage_after_a_described_one_is_the_next_stage(cur, cfg) -> None:
    assert understand("What comes in the stage right after the theory one?", cur, cfg).stages == [2]


def test_profile_weights_come_from_the_roadmap(cur) -> None:
    scores = stage_scores("deployment and fine-tuning in production", cur)
    assert max(scores, key=lambda n: scores[n]) == 4
    base = stage_scores("打地基", cur)  # 基础 leads 基础准备's title, not AI 理论基础's
    assert base.get(0, 0) > base.get(1, 0)


def test_the_topic_after_before_names_the_stage_whose_prerequisites_are_asked(cur, cfg) -> None:
    u = understand("New to all this: what do I need before I start on the theory of AI?", cur, cfg)
    assert u.stages == [1] and "prerequisites" in u.aspects
    guessed = understand("Before I get into the LLM application stuff, what do I need?", cur, cfg)
    assert guessed.stages == [3] and not guessed.skills  # "LLM" is no near-spelling of vllm here
    assert understand("What should I learn before deployment?", cur, cfg).skills == [13]  # a skill stays


def test_this_stage_meaning_now_names_no_stage(cur, cfg) -> None:
    u = understand("At this stage I've done Python and math, what's next?", cur, cfg)
    assert not u.stages and u.skills == [1, 2]
    assert not understand("现阶段我学完了 Python 和数学，下一步学什么？", cur, cfg).stages


def test_a_skill_beside_other_description_still_describes_its_stage(cur, cfg) -> None:
    u = understand("那个学用框架写模型、手撕 attention 的阶段，检验标准是什么？", cur, cfg)
    assert u.stages == [2] and not u.skills
    # the skill's own words ("retrieval strategies" is a RAG topic group) describe no stage
    own = understand("Which retrieval strategies does the RAG part of the roadmap cover?", cur, cfg)
    assert own.skills == [11] and not own.stages


def test_the_earliest_stage_is_the_roadmaps_first(cur, cfg) -> None:
    assert understand("最开始那个阶段要学多久？", cur, cfg).stages == [0]


def test_a_generic_word_of_a_title_names_no_stage(cur, cfg) -> None:
    # "模型" is in 大模型应用's title and in every stage's skills; 实战 is the learner's word for 实践
    u = understand("偏实战、写代码训练模型的那个阶段有哪些项目？", cur, cfg)
    assert u.stages == [2] and "project" in u.aspects
    assert max(stage_scores("学习", cur).values(), default=0) < 1.5  # too weak to name a stage alone


def test_laying_the_groundwork_in_chinese_names_the_first_stage(cur, cfg) -> None:
    u = understand("打基础那个阶段，所有技能点的检验标准帮我汇总一下", cur, cfg)
    assert u.stages == [0] and not u.skills  # 打基础 is one jieba word: found as written (blind20)
