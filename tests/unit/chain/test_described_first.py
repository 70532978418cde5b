"""A concept described without its keyword is answered by the roadmap item it describes, before the skill's lists."""

from __future__ import annotations

from tutor.chain.curriculum_answer import curriculum_answer
from tutor.chain.understanding import understand
from tutor.curriculum.learners import Roadmap
from tutor.index.lexicon import LexiconEntry, LexiconHit


def _describing(term: str, calls: list[str], aliases: tuple[str, ...] = ()):
    """A lexicon that 'recognises' `term` in any description, recording what it was asked."""
    entry = LexiconEntry(term, aliases, "ai-learning-roadmap", "核心内容", ())

    def describe(question: str, doc: str | None) -> LexiconHit:
        calls.append(question)
        return LexiconHit(entry, 0.9, 0.05)

    return describe


def _answer(question: str, roadmap: Roadmap, language: str, term: str, calls: list[str] | None = None):
    u = understand(question, roadmap.curriculum, roadmap.config)
    return curriculum_answer(question, language, u, roadmap, None, describe=_describing(term, calls or []))


def test_a_description_naming_a_skill_by_one_word_gets_the_item_quoted_with_its_skill(roadmap) -> None:
    """推理 names skill 13 and "prompt" skill 10: their lists (部署方案, the prerequisites) are not what was asked."""
    s = _answer("把模型权重压成 8 位或者 4 位整数来加速推理，在哪个技能点讲？", roadmap, "zh", "模型量化")
    assert s is not None and s.concept
    assert "「模型量化」是 技能点 13：模型部署" in s.text and "模型量化（int8, int4）" in s.text
    assert any(
        "技能点 13：模型部署" in " ".join(src.headings) for src in s.sources
    )  # cited where it is taught
    question = (
        "the thing where you put a couple of worked examples in the prompt before the real question — where?"
    )
    s = _answer(question, roadmap, "en", "Few-shot Prompting")
    assert s is not None and "“Few-shot Prompting” is taught in Skill 10" in s.text
    assert "prerequisites" not in s.text
    # a term said as context ("向量") is no answer either: the described item is
    s = _answer(
        "把关键词检索和向量检索结合起来的那种检索方式，是路线里哪一块的内容？", roadmap, "zh", "混合检索"
    )
    assert s is not None and "混合检索（BM25 + Vector）" in s.text and "技能点 11" in s.text


def test_a_skill_or_term_named_by_its_own_name_keeps_its_answer(roadmap) -> None:
    calls: list[str] = []
    s = _answer("技能点 13 讲了哪些内容？", roadmap, "zh", "知识蒸馏", calls)
    assert calls == [] and s is not None and "部署方案" in s.text  # the skill's own lists
    s = _answer("What's LoRA, and which skill covers it?", roadmap, "en", "LLaMA-Factory", calls)
    assert s is not None and "LLaMA-Factory" not in s.text.split("\n")[0]
    s = _answer("模型部署这个技能点在哪个阶段？", roadmap, "zh", "知识蒸馏", calls)
    assert s is not None and "「知识蒸馏」" not in s.text


def test_a_group_term_said_makes_the_answer_named_not_only_described(roadmap) -> None:
    """ "…containers…" says 容器化 (the glossary): the item's group is named, so no scope check is asked."""
    question = "what's it called when you run lots of containers on a cluster and a system schedules them, and where?"
    s = _answer(question, roadmap, "en", "Kubernetes")
    assert s is not None and "Kubernetes 部署" in s.text and not s.concept
    s = _answer("用一个大模型去教小模型、把知识传给它，这个技术在路线图哪里学", roadmap, "zh", "知识蒸馏")
    assert s is not None and s.concept  # only described: the chain checks its scope


def test_a_whole_skill_described_gets_the_skills_content_with_its_stage(roadmap) -> None:
    s = _answer("有没有讲怎么让大模型先查外部文档再回答问题的技术？在哪个阶段学？", roadmap, "zh", "RAG")
    assert s is not None and s.concept
    assert s.text.startswith("你描述的是 技能点 11：RAG 检索增强（阶段 3") and "检索策略" in s.text


def test_a_skill_from_the_earlier_turn_or_its_criteria_asked_is_no_description(roadmap) -> None:
    """ "What are the check criteria for the first one?" after "Which skills are in stage 2?": skill 7 was
    named by the earlier turn (no evidence in this one), and criteria are a unit's, not a concept's."""
    from tutor.chain.curriculum_answer import described_first
    from tutor.chain.understanding import Understanding

    calls: list[str] = []
    question = "What are the check criteria for the first one?"
    inherited = Understanding(skills=[7])
    assert (
        described_first(question, "en", inherited, roadmap, None, _describing("Few-shot Prompting", calls))
        is None
    )
    criteria = understand(
        "What are the check criteria of the thing that speeds up training?", roadmap.curriculum
    )
    assert "checks" in criteria.aspects
    assert (
        described_first(question, "en", criteria, roadmap, None, _describing("混合精度训练", calls)) is None
    )
    assert calls == []


def test_an_english_description_asking_whether_or_where_it_is_taught_gets_the_item(roadmap) -> None:
    """ "— is that in the roadmap?" is the English of 有没有讲; "How do I …? Where is that taught?" asks where,
    in the words a learner has for the concept (not how to do it)."""
    s = _answer(
        "Teaching a small model to mimic a big one so it's cheaper to run — is that in the roadmap?",
        roadmap,
        "en",
        "知识蒸馏",
    )
    assert s is not None and s.concept and "“知识蒸馏” is taught in Skill 13" in s.text
    question = (
        "How do I make a network smaller by cutting away weights that barely matter? Which skill covers that?"
    )
    s = _answer(question, roadmap, "en", "模型剪枝")
    assert s is not None and s.concept and "“模型剪枝” is taught in Skill 13" in s.text


def test_how_to_do_something_or_how_two_things_relate_is_still_no_description(roadmap) -> None:
    calls: list[str] = []
    s = _answer("How do I deploy a model with Docker?", roadmap, "en", "Docker 打包", calls)
    assert calls == [] and (s is None or not s.concept)
    s = _answer("How do RAG and fine-tuning relate, and where is that taught?", roadmap, "en", "RAG", calls)
    assert calls == [] and (s is None or not s.concept)
