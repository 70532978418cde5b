"""Which named skills and aspects a question asks about (issue 12): a skill named to rule it out, a skill's name
said in two pieces, an aspect word that is part of a named skill's name — none adds a passage to the answer."""

from __future__ import annotations

from tutor.chain.named_skills import excluded, split_name
from tutor.chain.understanding import understand


def test_a_skill_named_to_rule_it_out_is_not_asked_about(cur, cfg) -> None:
    u = understand(
        "What does 'mastered' look like for Transformers — I mean the architecture skill, not the Hugging Face library?",
        cur,
        cfg,
    )
    assert u.skills == [8] and u.aspects == ["checks"]
    u = understand("微调实战那个技能点（不是 Hugging Face 那个）怎么检验自己学会了？", cur, cfg)
    assert u.skills == [14]
    # two skills asked together stay; a learner's state ("不是很懂") is not a ruling out
    assert sorted(understand("Transformer 和 Hugging Face 的资源", cur, cfg).skills) == [8, 9]
    assert sorted(understand("我不是很懂 PyTorch 和 Transformer，资源有哪些", cur, cfg).skills) == [7, 8]
    assert excluded("rather than PyTorch", "PyTorch") and not excluded("PyTorch not yet", "PyTorch")


def test_a_skill_name_said_in_two_pieces_names_that_skill_alone(cur, cfg) -> None:
    u = understand("huggingface 的那个 transformers 库怎么学，有推荐的教程吗", cur, cfg)
    assert u.skills == [9] and u.aspects == ["resources"]
    assert split_name(
        "huggingface 的 transformers", "transformers", "huggingface", "Hugging Face Transformers"
    )
    # a joining word between: two skills asked
    assert not split_name(
        "huggingface 和 transformers", "transformers", "huggingface", "Hugging Face Transformers"
    )


def test_an_aspect_word_inside_a_named_skills_name_asks_no_aspect(cur, cfg) -> None:
    u = understand("微调实战那个技能点怎么检验自己学会了？", cur, cfg)
    assert u.skills == [14] and u.aspects == ["checks"]
    # the aspect said outside the name as well stays
    assert "project" in understand("微调实战有哪些项目", cur, cfg).aspects


def test_skills_said_as_the_examples_of_their_stage_name_the_stage(cur, cfg) -> None:
    u = understand("what should I already know before starting the PyTorch / Transformer stage?", cur, cfg)
    assert (u.stages, u.skills) == ([2], [])
    u = understand("想学 LangChain、RAG 这些大模型应用，前面那个阶段得先学完哪些东西", cur, cfg)
    assert (u.stages, u.skills) == ([3], [])
    # a skill asked on its own, or two skills of different stages, stay skills
    assert understand("RAG 之前要学什么", cur, cfg).skills == [11]
    assert sorted(understand("Transformer 和 RAG 的资源", cur, cfg).skills) == [8, 11]


def test_yi_in_a_word_after_skill_point_is_no_skill_number(cur, cfg) -> None:
    # "技能点一共" is "the skill, in all", as "阶段一共" is no stage 1; "技能点一的资源" is skill 1
    assert understand("Transformer 那个技能点一共要学哪些内容？", cur, cfg).skills == [8]
    assert understand("技能点一的资源", cur, cfg).skills == [1]
    assert understand("技能点十一的资源", cur, cfg).skills == [11]


def test_a_skill_named_as_the_purpose_after_another_is_not_asked_about(cur, cfg) -> None:
    u = understand("any good videos or courses to brush up on linear algebra and calculus for ML?", cur, cfg)
    assert u.skills == [2] and u.aspects == ["resources"]
    # "for X" naming the only subject, or a skill named before the other: both stay asked
    assert understand("Give me the hands-on projects for the RAG skill.", cur, cfg).skills == [11]
    assert sorted(understand("resources for NLP and RAG", cur, cfg).skills) == [6, 11]


def test_a_generic_word_inside_another_named_skills_part_names_no_skill(cur, cfg) -> None:
    from tutor.chain.glossary_topics import expand_chinese
    from tutor.chain.named_skills import generic_inside

    u = understand("Hugging Face 那部分的参数高效微调具体学哪几种方法", cur, cfg)
    assert u.skills == [9]
    # the generic word said as a skill of its own, or joined to the other by 和, stays
    assert sorted(understand("学完 Hugging Face 之后要学微调吗", cur, cfg).skills) == [9, 14]
    assert sorted(understand("Hugging Face 和微调的资源", cur, cfg).skills) == [9, 14]
    assert generic_inside("methods in the hugging face part", "methods", "hugging face", "methods")
    assert not generic_inside("微调和 Hugging Face", "微调", "Hugging Face", "模型微调")
    assert "PEFT 技术" in expand_chinese("参数高效微调有哪些")


def test_chinese_words_for_an_english_titled_group_add_its_title() -> None:
    from tutor.chain.glossary_topics import expand_chinese

    assert expand_chinese("LangChain 里对话记忆有哪几种方式").endswith("Memory 管理")
    assert expand_chinese("Transformer 的注意力机制").endswith("Attention 机制")
    assert expand_chinese("RAG 有哪些资源") == "RAG 有哪些资源"
