"""Query understanding over the shipped roadmap: stages, skills, milestones, aspects (no model, no index)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tutor.chain.understanding import parse_number, understand

REPO = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize(
    "token,value",
    [
        ("3", 3),
        ("三", 3),
        ("十二", 12),
        ("十", 10),
        ("二十", 20),
        ("两", 2),
        ("twelve", 12),
        ("second", 2),
        ("x", None),
        ("", None),
    ],
)
def test_parse_number(token: str, value: int | None) -> None:
    assert parse_number(token) == value


@pytest.mark.parametrize(
    "text,stages",
    [
        ("阶段 2 的检验标准是什么？", [2]),
        ("阶段2要学什么", [2]),
        ("第二阶段要学多久？", [2]),
        ("第 3 阶段的学习资源有哪些", [3]),
        ("阶段三包括哪些技能点？", [3]),
        ("What are the check criteria for stage 2?", [2]),
        ("How long does stage three take?", [3]),
        ("What does the engineering stage cover?", [4]),
        ("AI 工程化阶段有哪些实践项目？", [4]),
        ("深度学习实践阶段要多长时间", [2]),
        ("最后一个阶段学什么？", [5]),
        # the last stage with words between, or as the end of the curriculum (ans12)
        ("What's covered in the last, ongoing-learning stage of the roadmap?", [5]),
        ("what are the advanced topics at the end of the curriculum?", [5]),
        ("最后那个阶段要学多久？", [5]),
        # a quoted name or 高级 between (blind19)
        ("最后那个“持续学习”的高级阶段包含哪些专题？", [5]),
        ("What should I study in the foundations stage?", [0]),
    ],
)
def test_stage_references_are_stages_not_skills(cur, cfg, text: str, stages: list[int]) -> None:
    u = understand(text, cur, cfg)
    assert u.stages == stages
    assert not u.skills, u.evidence


@pytest.mark.parametrize(
    "text,stages",
    [
        # English words of a stage's own title (via the glossary): 理论 + 基础 is 阶段 1, not 阶段 0's 基础准备
        ("Which skills belong to the theory foundations stage?", [1]),
        ("How many months is the AI theory foundations phase?", [1]),
        ("What's in the stage about engineering?", [4]),
        # names joined by a slash, and words for practice and production (blind19)
        ("what must I do to finish the engineering / productionizing stage?", [4]),
        ("For the hands-on deep learning stage, what are the checks?", [2]),
        ("Is the deep learning practice phase hard?", [2]),
        ("What do I read during the foundations stage?", [0]),
        # a title shortened by its last word, when that names no skill
        ("AI 理论阶段要看哪些书？", [1]),
        ("学 AI 理论之前需要会什么", [1]),
        ("AI 工程要花多久", [4]),
        # the short title pointed at ("理论基础那个阶段"), not only followed by 阶段
        ("理论基础那个阶段包含哪些技能点", [1]),
        ("工程化的阶段要多久", [4]),
    ],
)
def test_stages_named_by_their_title_words(cur, cfg, text: str, stages: list[int]) -> None:
    u = understand(text, cur, cfg)
    assert u.stages == stages, u.evidence
    assert not u.skills, u.evidence


@pytest.mark.parametrize(
    "text",
    [
        "我零基础，该从哪里开始？",  # 基础 alone is too short to name 阶段 0 基础准备
        "Which stage should I start with?",  # no title words
        "What is the learning stage like?",  # one title word alone is too weak
        "AI 工程师要会什么？",
        "大模型微调能用在哪些场景？",  # 大模型 (阶段 3 大模型应用 without 应用) is one word: a topic, not a stage  # "AI 工程" here is part of the word 工程师, not 阶段 4 AI 工程化
    ],
)
def test_generic_words_name_no_stage(cur, cfg, text: str) -> None:
    assert understand(text, cur, cfg).stages == []


def test_a_skill_name_inside_a_stage_title_stays_a_skill(cur, cfg) -> None:
    u = understand("深度学习要学多久", cur, cfg)
    assert u.stages == [] and u.skills == [5]


@pytest.mark.parametrize(
    "text,skills",
    [
        ("技能点 2 的检验标准", [2]),
        ("技能点十一有哪些资源", [11]),
        ("skill 7 resources", [7]),
        ("学习 RAG 有哪些推荐的资源？", [11]),
        ("Python 要练到什么程度才算可以进入下一阶段？", [1]),
        ("What resources does the roadmap list for PyTorch?", [7]),
        ("LangChain 的实践项目是什么", [12]),
        ("How do I know I've mastered prompt engineering?", [10]),
        ("模型微调要学哪些内容", [14]),
    ],
)
def test_skill_references(cur, cfg, text: str, skills: list[int]) -> None:
    u = understand(text, cur, cfg)
    assert u.skills == skills
    assert not u.stages


@pytest.mark.parametrize(
    "text,months",
    [
        ("三个月后应该达到什么水平？", [3]),
        ("学了 3 个月之后要能做到什么", [3]),
        ("半年后我应该会什么？", [6]),
        ("学满一年应该达到什么程度", [12]),
        ("一年后能做什么", [12]),
        ("What should I be able to do after 3 months?", [3]),
        ("Where should I be after half a year?", [6]),
        ("What is the milestone after 12 months?", [12]),
        ("6 个月后的里程碑", [6]),
        ("What should I have achieved by the half-year mark?", [6]),
        ("What does the one-year milestone look like?", [12]),
        ("到第六个月要求完成几个项目？", [6]),
        # "which milestone" asks for the one whose item holds the ability, not every milestone
        ("By which milestone am I expected to be able to build a RAG system?", [12]),
        ("哪个里程碑的时候应该能微调大模型？", [12]),
        ("检验里程碑有哪些？", [3, 6, 12]),
    ],
)
def test_milestones(cur, cfg, text: str, months: list[int]) -> None:
    u = understand(text, cur, cfg)
    assert u.milestones == months
    assert u.structured


@pytest.mark.parametrize(
    "text,aspect",
    [
        ("学习 RAG 有哪些推荐的资源？", "resources"),
        ("Any books for skill 5?", "resources"),
        (
            "想把 transformer 那篇论文和结构彻底搞懂，路线推荐了哪些材料？",
            "resources",
        ),  # 材料 alone (blind19)
        ("阶段 2 的检验标准是什么？", "checks"),
        ("Python 要练到什么程度才算可以进入下一阶段？", "checks"),
        ("LangChain 有什么实践项目？", "project"),
        ("What project should I build for RAG?", "project"),
        ("练 pytorch 的时候推荐从零实现哪些模型？", "project"),  # the projects' own words (blind19)
        ("阶段 1 要学多久？", "time"),
        ("How long does stage 4 take?", "time"),
        ("学 RAG 之前需要先学什么？", "prerequisites"),
        ("What are the prerequisites for fine-tuning?", "prerequisites"),
        ("Before I get into RAG, what should I know?", "prerequisites"),
        ("阶段 3 要学哪些内容？", "content"),
        ("What topics does the deep learning skill cover?", "content"),
        ("Python 进阶要掌握哪些特性？", "content"),  # "要掌握哪些" asks what the skill's content lists
        ("LangChain 需要掌握什么？", "content"),
        ("系统设计学完了应该能干啥？", "checks"),  # 能干啥: what one can do, not 学完…做什么 (what follows)
    ],
)
def test_aspects(cur, cfg, text: str, aspect: str) -> None:
    u = understand(text, cur, cfg)
    assert u.aspect == aspect, u.to_json()
    assert u.structured


@pytest.mark.parametrize(
    "text",
    [
        "RAG 里怎么做混合检索？",
        "Transformer 的自注意力机制是什么？",
        "程序员 35 岁危机怎么应对？",
        "What vector databases does the roadmap mention?",
        "How does self-attention work?",
        "领导力要怎么锻炼？",
    ],
)
def test_explanations_and_essays_are_not_structured(cur, cfg, text: str) -> None:
    assert not understand(text, cur, cfg).structured


def test_whole_roadmap_time(cur, cfg) -> None:
    u = understand("整个学习路线总共要多久？", cur, cfg)
    assert u.whole_roadmap and u.aspect == "time" and u.structured


def test_to_json_reports_evidence(cur, cfg) -> None:
    data = understand("阶段 2 的检验标准是什么？", cur, cfg).to_json()
    assert data["stages"] == [2] and data["aspect"] == "checks" and data["evidence"]["stage 2"] == "阶段 2"


def test_the_skills_own_group_after_before_is_its_content_not_its_prerequisites(cur, cfg) -> None:
    """'微调之前的数据准备' is skill 14's own 数据准备 (content); '学深度学习之前数学…' still asks what comes first."""
    assert "prerequisites" not in understand("微调之前的数据准备要做哪几步", cur, cfg).aspects
    assert "prerequisites" in understand("学深度学习之前数学要补哪些", cur, cfg).aspects
    assert "prerequisites" in understand("部署之前要学什么", cur, cfg).aspects


def test_the_bar_for_a_skill_before_moving_on_asks_its_criteria(cur, cfg) -> None:
    """blind15 ha017: "the bar for python before i move on" asks Python's criteria, not what precedes Python;
    in Chinese the goal comes before 之前 ("学深度学习原理之前…要求先学哪几个技能" still asks prerequisites)."""
    u = understand("what's the bar for python before i move on to the AI stuff?", cur, cfg)
    assert u.skills == [1] and u.aspects == ["checks"]
    u = understand("学深度学习原理之前，基础准备阶段要求先学哪几个技能？", cur, cfg)
    assert "prerequisites" in u.aspects


def test_before_the_model_does_something_is_no_prerequisite(cur, cfg) -> None:
    """blind19: "reason step by step before it answers" describes what a technique makes the model do; "before it"
    with nothing after, or before a skill, still asks what comes first."""
    u = understand(
        "the prompting trick where the model reasons step by step before it answers - what is it?", cur, cfg
    )
    assert u.skills == [10] and "prerequisites" not in u.aspects
    assert "prerequisites" in understand("What do I need before RAG?", cur, cfg).aspects
    assert (
        "prerequisites" in understand("Prompt engineering: what should I learn before it?", cur, cfg).aspects
    )


def test_the_words_that_name_a_stage_and_a_bracket_after_them_describe_it(cur, cfg) -> None:
    """blind19: "the hands-on deep learning stage (the one with pytorch) … across its skills" is 阶段 2's criteria:
    neither "hands-on" (projects) nor PyTorch (技能点 7) is asked; a skill said beside the stage still is."""
    u = understand(
        "For the hands-on deep learning stage (the one with pytorch), what are all the checks across its skills?",
        cur,
        cfg,
    )
    assert (u.stages, u.skills, u.aspects) == ([2], [], ["checks"])
    assert understand("阶段 2（PyTorch 那个）的检验标准", cur, cfg).skills == []
    assert understand("阶段 2 和 PyTorch 的资源", cur, cfg).skills == [7]
    assert understand("What projects are in the hands-on stage?", cur, cfg).aspects == ["project"]
    # what the stage's words held was no aspect: the stage named alone is its overview
    assert understand("what are the advanced topics at the end of the curriculum?", cur, cfg).aspects == [
        "content"
    ]
