"""Round 19 (prerequisites, checks, project order): each class of failure fixed in a general way, asserted on the
shipped roadmap (issue 12)."""

from __future__ import annotations

from tests.unit.chain.conftest import ROADMAP
from tutor.chain.replies import material_next_step
from tutor.chain.structured import compose_structured
from tutor.chain.understanding import understand


def _structured(question: str, cur, cfg, language: str):
    out = compose_structured(understand(question, cur, cfg), cur, ROADMAP, language, question=question)
    assert out is not None
    return out


def test_a_language_alone_as_the_filter_counts_the_other_rows_without_naming_them(cur, cfg) -> None:
    out = _structured("模型部署的学习资源只要中文的", cur, cfg, "zh")
    assert "FastAPI 中文教程" in out.text
    assert "TensorRT" not in out.text and "表中另有 1 项其他语言的资源" in out.text
    assert "TensorRT 官方文档" not in out.items  # an LLM's phrasing is not made to restore it
    en = _structured("Which RAG resources are in English only?", cur, cfg, "en")
    assert "LlamaIndex 官方文档" in en.text and "向量数据库实战" not in en.text


def test_a_preference_or_a_kind_word_keeps_the_rest_of_the_table_by_name(cur, cfg) -> None:
    out = _structured("linux 和 git 有啥入门资料吗，最好中文的", cur, cfg, "zh")
    assert "表中另有：Linux Journey" in out.text
    kind = _structured("有没有中文的 Python 入门教程推荐？", cur, cfg, "zh")
    assert "表中另有：" in kind.text and "莫烦 Python" in kind.text


def test_the_next_step_reads_a_resource_the_answer_shows(cur) -> None:
    shown = "- Linux Journey（在线教程，英文，⭐⭐⭐⭐）：https://linuxjourney.com/ [1]"
    step = material_next_step(cur.skill(3), set(), None, None, "zh", shown)
    assert step is not None and "Linux Journey" in step and "鸟哥" not in step
    assert "鸟哥" in (
        material_next_step(cur.skill(3), set(), None, None, "zh") or ""
    )  # nothing shown: the first


def test_which_skills_are_required_is_the_tree_branch_noted_so_without_the_tree_named(cur) -> None:
    from tutor.chain.skill_tree import skill_tree_answer
    from tutor.chain.structured_parts import Builder

    for question, zh in [
        ("我完全零基础，开始学 AI 之前必修的基础技能有哪些？", True),
        ("Before starting the roadmap at all, which foundation skills are mandatory?", False),
        ("Before I touch any AI theory, which skills are compulsory according to the skill tree?", False),
    ]:
        out = skill_tree_answer(question, cur, Builder(cur, ROADMAP, zh))
        assert out is not None and "基础技能（必修）" in out.text
        assert all(x in out.text for x in ("Python 编程", "数学基础", "Linux 操作", "Git 版本控制"))
        assert "AI 理论" not in out.text
    # one skill named: whether it is required is the prerequisites' answer
    assert skill_tree_answer("Git 是必修的吗，哪些情况能跳过？", cur, Builder(cur, ROADMAP, True)) is None


def test_a_groups_siblings_shortened_in_the_same_list_are_named_too(cur, cfg) -> None:
    from tutor.chain.group_short import short_forms, with_siblings

    assert short_forms("线性代数") == ["线性", "线代"] and short_forms("微积分") == []
    titles = ["线性代数", "微积分", "概率统计"]
    assert with_siblings("线代、微积分、概率分别有啥用", titles, [1]) == [0, 1, 2]
    assert (
        with_siblings("微积分有啥用，概率呢", titles, []) == []
    )  # nothing named in full: no short form counts
    from tutor.chain.roadmap_units import group_answer
    from tutor.chain.structured_parts import Builder

    question = "为啥学AI还得先补数学？线代、微积分、概率分别有啥用"
    out = group_answer(question, "zh", understand(question, cur, cfg), cur, Builder(cur, ROADMAP, True))
    assert out is not None and all(
        x in out.text for x in ("神经网络就是矩阵运算", "反向传播的数学基础", "理解模型的不确定性")
    )


def test_a_foundation_group_asked_before_a_later_skill_is_that_group(cur, cfg) -> None:
    from tutor.chain.roadmap_units import group_answer
    from tutor.chain.structured_parts import Builder

    question = "Is linear algebra really necessary before neural nets? Which parts of it?"
    u = understand(question, cur, cfg)
    assert "prerequisites" in u.aspects
    out = group_answer(question, "en", u, cur, Builder(cur, ROADMAP, False))
    assert out is not None and "特征值和特征向量" in out.text
    assert [s.headings[-1] for s in out.sources] == ["线性代数"]
    # a later skill's group asked with "before": what comes before the skill, not the group
    later = "学 RAG 的检索策略之前要先学什么？"
    assert group_answer(later, "zh", understand(later, cur, cfg), cur, Builder(cur, ROADMAP, True)) is None


def test_skipping_straight_to_a_skill_and_a_basis_named_with_its_subject_ask_prerequisites(
    cur, cfg, roadmap
) -> None:
    question = "我数学很差，能直接跳到深度学习吗？需要什么数学基础"
    u = understand(question, cur, cfg)
    assert "prerequisites" in u.aspects and 2 in u.skills
    out = compose_structured(u, cur, ROADMAP, "zh", roadmap.prerequisites, question)
    assert out is not None and all(x in out.text for x in ("线性代数", "微积分", "概率统计"))


def test_a_report_inside_the_question_is_supposed_and_the_requirement_is_asked() -> None:
    from tutor.chain.requirement_words import asks_requirement, says_done
    from tutor.chain.router import route_message

    for question in [
        "How do I know I've mastered the math fundamentals? What are the checks?",
        "What do I need to be able to do before I can say I've finished stage 2?",
        "学完以后怎么检验自己真的会了？",
        "学完以后怎么判断自己掌握了？",
    ]:
        assert asks_requirement(question), question
        assert route_message(question).kind == "material", question
    assert says_done("I've finished stage 2, what's next?")
    assert not says_done("before I can say I've finished stage 2")
    assert route_message("我已经学完了阶段 2，接下来学什么？").kind == "next_step"


def test_finishing_without_a_subject_refers_to_the_earlier_topic() -> None:
    from tutor.chain.condense import is_follow_up

    assert is_follow_up("学完以后怎么检验自己真的会了？")
    assert is_follow_up("学完之后怎么判断自己掌握了？")
    assert not is_follow_up("阶段 2 的检验标准有哪些，哪些最难？")


def test_a_numbered_stage_described_in_apposition_names_no_skill_or_aspect(cur, cfg) -> None:
    q = "What do I need to be able to do before I can say I've finished stage 2, the hands-on deep learning stage?"
    u = understand(q, cur, cfg)
    assert u.stages == [2] and u.skills == [] and "checks" in u.aspects and "project" not in u.aspects
    u = understand("阶段 2（深度学习实践那个阶段）有哪些项目？", cur, cfg)
    assert u.stages == [2] and u.skills == [] and u.aspects == ["project"]  # asked outside the description
    u = understand("stage 2, the deep learning practice one: what projects?", cur, cfg)
    assert u.skills == [] and u.aspects == ["project"]


def _passage(n: int, headings: list[str], text: str):
    from tutor.chain.answer import Source

    return Source(
        n=n,
        id=str(n),
        doc="ai-learning-roadmap",
        title="",
        text=text,
        headings=headings,
        lines=(n * 10, n * 10 + 5),
    )


_SKILL_PROJECTS = "1. 部署 LLM 推理服务\n2. 优化推理延迟\n3. 实现自动扩缩容"
_SEQUENCE = (
    "**建议的项目序列**\n1. 手写数字识别（入门）\n2. 文本情感分析（NLP 入门）\n3. 聊天机器人（LLM 应用）"
)


def test_the_order_of_projects_asked_is_the_list_written_as_an_order_not_a_skills_projects() -> None:
    from tutor.chain.list_order import ordered_list_blocks

    skill = _passage(1, ["路线", "技能点 13：模型部署", "实践项目"], _SKILL_PROJECTS)
    advice = _passage(2, ["路线", "学习建议", "2. 项目驱动学习"], _SEQUENCE)
    sources = [skill, advice]
    blocks = ordered_list_blocks("项目应该按什么顺序做？", sources, lambda doc, path: None)
    assert blocks is not None and blocks[0].lines[0].startswith("手写数字识别")
    # not retrieved: the material's own ordered list of that kind still answers
    found = ordered_list_blocks(
        "In what order should I do the projects?", [skill], lambda d, p: None, lambda: [advice]
    )
    assert found is not None and "聊天机器人（LLM 应用）" in found[0].lines
    # no order asked, or only a skill's numbered projects: not this answer
    assert ordered_list_blocks("模型部署有哪些项目？", [skill, advice], lambda d, p: None) is None
    assert ordered_list_blocks("项目按什么顺序做？", [skill], lambda d, p: None) is None


def test_the_order_of_papers_asked_is_the_paper_list_not_how_to_read_one() -> None:
    from tutor.chain.list_order import ordered_list_blocks

    how = _passage(
        1,
        ["路线", "学习建议", "3. 阅读经典论文"],
        "阅读方法：\n1. 第一遍：快速浏览\n2. 第二遍：仔细阅读\n3. 第三遍：复现代码",
    )
    papers = _passage(
        2,
        ["路线", "论文阅读", "必读经典论文（按重要性排序）"],
        "1. **Attention Is All You Need** (Transformer)\n   - 链接：x\n\n2. **BERT**\n   - 链接：y\n\n3. **GPT-3**\n   - 链接：z",
    )
    blocks = ordered_list_blocks(
        "路线图推荐的那几篇经典论文应该按什么顺序读？", [how, papers], lambda d, p: None
    )
    assert blocks is not None and "Attention Is All You Need" in blocks[0].lines[0]


def test_the_stage_before_the_named_skills_own_is_what_a_previous_stage_question_asks(
    cur, cfg, roadmap
) -> None:
    for question, language in [
        ("模型部署、微调这些工程化的东西，前面那个阶段要学完哪些？", "zh"),
        (
            "What should I have finished from the previous stage before starting on fine-tuning and deployment?",
            "en",
        ),
    ]:
        u = understand(question, cur, cfg)
        assert u.stages == [4] and u.skills == [] and "prerequisites" in u.aspects
        out = compose_structured(u, cur, ROADMAP, language, roadmap.prerequisites, question)
        assert out is not None and "RAG 检索增强" in out.text and "核心路径" not in out.text


def test_which_stage_first_lists_earlier_stages_and_named_goals_are_not_each_others_prerequisites(
    cur, cfg, roadmap
) -> None:
    question = "想学强化学习，需要先完成哪个阶段的技能？"
    out = compose_structured(
        understand(question, cur, cfg), cur, ROADMAP, "zh", roadmap.prerequisites, question
    )
    assert out is not None and "阶段 4：AI 工程化" in out.text and "多模态" not in out.text
    assert [s.headings[-1] for s in out.sources] == ["阶段 4：AI 工程化（1-2 个月）"]
    both = "Before I jump into the advanced topics like multimodal and RL, what should I have finished first?"
    out = compose_structured(understand(both, cur, cfg), cur, ROADMAP, "en", roadmap.prerequisites, both)
    assert out is not None and "技能点 16" not in out.text and "模型部署" in out.text


def test_whether_a_foundation_is_needed_before_a_stage_is_its_tree_branch_and_the_stage_before(
    cur, cfg, roadmap
) -> None:
    for question, language in [
        ("Do I need to know Linux and Git before the AI theory stage?", "en"),
        ("进入阶段 1 之前 Linux 和 Git 必须会吗？", "zh"),
    ]:
        u = understand(question, cur, cfg)
        out = compose_structured(u, cur, ROADMAP, language, roadmap.prerequisites, question)
        assert out is not None and "基础技能（必修）" in out.text and "Linux 操作" in out.text
        assert "阶段 0：基础准备" in out.text and "AI 理论（核心）" not in out.text
    # what of a foundation is needed is still its content
    what = "进入 AI 理论阶段之前，Python 常用库要会哪些？"
    out = compose_structured(understand(what, cur, cfg), cur, ROADMAP, "zh", roadmap.prerequisites, what)
    assert out is None or "基础技能（必修）" not in out.text


def test_what_a_skill_comes_after_asks_what_precedes_it_not_what_follows(cur, cfg) -> None:
    u = understand("模型部署放在什么之后学？它的前置是啥", cur, cfg)
    assert u.aspects == ["prerequisites"]
    assert "next" in understand("学完模型部署之后学什么？", cur, cfg).aspects


def test_foundations_the_learner_lacks_are_part_of_the_groundwork_question(cur, cfg) -> None:
    q = "I know nothing about programming or math yet. What groundwork should I lay before I really start studying AI?"
    u = understand(q, cur, cfg)
    assert u.stages == [0] and u.skills == [] and u.aspects == ["content"]
    # a foundation asked about keeps its skill
    assert understand("学 AI 之前数学要补哪些？", cur, cfg).skills == [2]


def test_an_own_stage_line_the_core_path_already_says_is_not_repeated(cur, cfg, roadmap) -> None:
    q = "Before I start deploying models, what should I already know?"
    out = compose_structured(understand(q, cur, cfg), cur, ROADMAP, "en", roadmap.prerequisites, q)
    assert out is not None and "微调 → 部署" in out.text and "阶段 3：大模型应用" in out.text
    assert "阶段 4" not in out.text  # 模型微调实战 is the path's 微调, already cited to 核心路径
    q = "学 Transformer 之前要先学什么？"  # PyTorch is on no path step: its stage line stays
    out = compose_structured(understand(q, cur, cfg), cur, ROADMAP, "zh", roadmap.prerequisites, q)
    assert out is not None and "PyTorch 深度掌握" in out.text


def test_the_core_path_named_answers_with_the_path_even_for_a_step_it_abbreviates(cur, cfg, roadmap) -> None:
    q = "What comes before NLP in the core path, i.e. what is NLP's prerequisite?"
    out = compose_structured(understand(q, cur, cfg), cur, ROADMAP, "en", roadmap.prerequisites, q)
    assert out is not None and "深度学习 → NLP" in out.text and "阶段 0" not in out.text


def test_two_stages_named_with_a_prerequisite_ask_what_comes_before_the_later_one(cur, cfg, roadmap) -> None:
    q = "Before I begin the large-model application stage, which skills should the deep learning practice stage have given me?"
    u = understand(q, cur, cfg)
    out = compose_structured(u, cur, ROADMAP, "en", roadmap.prerequisites, q)
    assert out is not None and "PyTorch 深度掌握" in out.text
    assert [s.headings[-1] for s in out.sources] == ["阶段 2：深度学习实践（2-3 个月）"]


def test_a_short_form_counts_only_as_an_item_of_a_chinese_list() -> None:
    from tutor.chain.group_short import with_siblings

    titles = ["推理优化", "部署方案", "容器化"]
    assert with_siblings(
        "For model deployment, what inference optimization 推理优化 部署 techniques", titles, [0]
    ) == [0]
    assert with_siblings("推理优化和部署有哪些内容", titles, [0]) == [0, 1]
