"""Structured answers from the parsed roadmap: complete lists, each item cited to its section's lines."""

from __future__ import annotations

from pathlib import Path

from tutor.chain.structured import compose_structured, ensure_items, missing_items
from tutor.chain.understanding import understand
from tutor.curriculum.graph import Prerequisites

REPO = Path(__file__).resolve().parents[3]
ROADMAP = REPO / "corpus" / "ai-learning-roadmap.md"


def _answer(question: str, cur, cfg, language: str = "zh"):
    s = compose_structured(understand(question, cur, cfg), cur, ROADMAP, language, Prerequisites(cur, cfg))
    assert s is not None
    return s


def test_stage_checks_are_every_criterion_of_every_skill_of_the_stage(cur, cfg) -> None:
    s = _answer("阶段 2 的检验标准是什么？", cur, cfg)
    expected = cur.skill(7).checks + cur.skill(8).checks
    assert len(expected) == 6 and not missing_items(s.text, expected)
    assert "500 行" not in s.text  # skill 1 (技能点 1), not stage 2
    assert [src.lines for src in s.sources] == [
        list(cur.skill(7).section_citations["检验标准"].lines),
        list(cur.skill(8).section_citations["检验标准"].lines),
    ]
    for line in s.text.splitlines():
        if line.startswith("- "):
            assert line.rstrip().endswith(("[1]", "[2]"))


def test_skill_resources_are_the_whole_table(cur, cfg) -> None:
    s = _answer("学习 RAG 有哪些推荐的资源？", cur, cfg)
    names = [r.name for r in cur.skill(11).resources]
    assert len(names) == 5 and not missing_items(s.text, names)
    assert "必须精通" not in s.text
    for src in s.sources:  # each cited passage holds what is quoted from it
        assert "RAG 从入门到精通" in src.text


def test_milestone_items_in_english_framing(cur, cfg) -> None:
    s = _answer("What should I be able to do after half a year?", cur, cfg, "en")
    milestone = next(m for m in cur.milestones if m.months == 6)
    assert not missing_items(s.text, milestone.checks)
    assert s.text.startswith("From the roadmap")


def test_stage_time_and_whole_roadmap_time(cur, cfg) -> None:
    assert "2-3 个月" in _answer("阶段 2 要学多久？", cur, cfg).text
    whole = _answer("整个路线业余学习总共要多久？", cur, cfg).text
    assert "22 个月" in whole and "11-13 个月" in whole


def test_prerequisites_name_the_direct_needs(cur, cfg) -> None:
    s = _answer("学 RAG 之前需要先学什么？", cur, cfg)
    assert "LangChain" in s.text


def test_dropped_items_are_put_back(cur, cfg) -> None:
    s = _answer("学习 RAG 有哪些推荐的资源？", cur, cfg)
    phrased = "推荐先看 RAG 从入门到精通 [1]，再读 LangChain 中文文档 [1]、向量数据库实战 [1] 和 LlamaIndex 官方文档 [1]。"
    fixed, dropped = ensure_items(phrased, s, "zh")
    assert (
        dropped == ["Advanced RAG Techniques"]
        and "Advanced RAG Techniques" in fixed
        and fixed.startswith("推荐先看")
    )
    fallback, _ = ensure_items("RAG 很重要。", s, "zh")
    assert fallback == s.text


def test_a_time_question_naming_a_pace_gets_that_plan_only(cur, cfg) -> None:
    question = "业余时间学，每个阶段分别花多久？"
    s = compose_structured(
        understand(question, cur, cfg), cur, ROADMAP, "zh", Prerequisites(cur, cfg), question
    )
    assert s is not None and "阶段 1：4 个月" in s.text and "总时长：22 个月" in s.text
    assert "全职" not in s.text and [src.headings[-1] for src in s.sources] == ["业余学习（1.5-2 年）"]


def test_prerequisites_include_the_skills_taught_earlier_in_the_same_stage(cur, cfg) -> None:
    s = _answer("What do I need under my belt before the Transformer architecture skill?", cur, cfg, "en")
    assert "技能点 7：PyTorch 深度掌握" in s.text  # taught before it in stage 2
    # never a skill that the roadmap's order builds on this one (its core path: 微调 → 部署)
    assert "技能点 13：模型部署" not in _answer("学模型微调之前需要先掌握哪些东西？", cur, cfg).text


def test_prerequisites_cite_only_the_stages_they_name(cur, cfg) -> None:
    s = _answer("学 RAG 之前需要先学什么？", cur, cfg)
    cited = {src.headings[-1] for src in s.sources if f"[{src.n}]" in s.text}
    # the roadmap's order (its core path) and the nearest earlier stage and its own
    assert cited == {"核心路径", cur.stage(2).heading, cur.stage(3).heading}
    assert "Transformer 架构" in s.text and "Prompt Engineering" in s.text
    older = next(line for line in s.text.splitlines() if cur.stage(0).heading in line)
    assert "[" not in older  # the stages those build on are named, not cited
    stage = _answer("进入阶段 2 之前得先学完哪些？", cur, cfg)
    assert [src.headings[-1] for src in stage.sources] == [cur.stage(1).heading]


def test_a_stage_named_outright_outweighs_a_near_spelling_of_a_skill(cur, cfg) -> None:
    u = understand("What do I need to know before starting stage 3 (LLM applications)?", cur, cfg)
    assert u.stages == [3] and u.skills == []


def test_a_skill_named_in_a_milestone_question_is_looked_for_in_the_milestone(cur, cfg) -> None:
    for question, months in (
        ("半年后应该会 RAG 了吗？", 6),
        ("By the 6-month milestone should I know LangChain?", 6),
    ):
        s = _answer(question, cur, cfg)
        milestone = next(m for m in cur.milestones if m.months == months)
        assert not missing_items(s.text, milestone.checks)
        assert [src.lines for src in s.sources] == [list(milestone.citation.lines)]  # not the skill's content


def test_a_prerequisite_the_learner_names_adds_what_it_covers(cur, cfg) -> None:
    s = _answer("我 Linux 不熟，可以直接学深度学习原理吗？", cur, cfg)
    linux = cur.skill(3)
    assert linux.number in Prerequisites(cur, cfg).ancestors(5)
    shown = [i for g in linux.content for i in g.items]
    assert shown and not missing_items(s.text, shown)
    assert any(linux.heading in src.headings for src in s.sources)  # cited to its own content lines
    assert all(src.cited for src in s.sources)


def test_a_phrasing_that_drops_the_markers_gets_each_items_citation_back(cur, cfg) -> None:
    from tutor.chain.structured_parts import restore_citations

    s = _answer("阶段 2 的检验标准是什么？", cur, cfg)  # skill 7's criteria are [1], skill 8's [2]
    seven, eight = cur.skill(7).checks[0], cur.skill(8).checks[0]
    phrased = f"先看 PyTorch：{seven}。\n然后 Transformer：{eight} [2]\n加油！"
    assert restore_citations(phrased, s).splitlines() == [
        f"先看 PyTorch：{seven}。 [1]",
        f"然后 Transformer：{eight} [2]",  # already cited: left as the model wrote it
        "加油！",  # states no item: nothing to cite
    ]


def test_what_to_cover_first_in_the_first_stage_is_its_content(cur, cfg) -> None:
    s = _answer("Walk me through stage 0, which skills come first?", cur, cfg, "en")
    assert not missing_items(s.text, [cur.skill(n).name for n in (1, 2, 3)])  # nothing comes before stage 0
    prereq = _answer("学阶段 2 之前要先学完什么？", cur, cfg)
    assert "阶段 1" in prereq.text  # a later stage still gets what comes before it


def _phrase(s, reply: str) -> str | None:
    from langchain_core.language_models import FakeListChatModel

    from tutor.chain.answer import Answer
    from tutor.chain.phrasing import phrase_structured
    from tutor.config import LLMSettings
    from tutor.llm.backends import LLMBackend

    answer = Answer(
        question="q", standalone_question="q", language="zh", route="material", route_reason="t", text=""
    )
    return phrase_structured(answer, s, FakeListChatModel(responses=[reply]), LLMBackend(LLMSettings()))


def test_markers_a_model_invents_are_dropped_and_the_items_cited_to_their_passage(cur, cfg) -> None:
    s = _answer("学习 RAG 有哪些推荐的资源？", cur, cfg)  # one passage: the skill's table, [1]
    items = [i for i in s.items if "RAG" in i or "LangChain" in i or "LlamaIndex" in i or "向量" in i]
    reply = "\n".join(f"- {item} [{k}]" for k, item in enumerate(items, 2))  # [2] … [6]: no such passages
    text = _phrase(s, reply)
    assert text is not None and "[2]" not in text and "[5]" not in text
    assert all(line.endswith("[1]") for line in text.splitlines() if line.startswith("- "))


def test_a_phrasing_citing_no_real_passage_is_cited_back_or_replaced(cur, cfg) -> None:
    s = _answer("学习 RAG 有哪些推荐的资源？", cur, cfg)
    kept = _phrase(s, "、".join(s.items) + " [9]")  # every item, one invented marker
    assert kept is not None and kept.endswith("[1]") and "[9]" not in kept
    assert (
        _phrase(s, "好好学习 [7]\n加油 [8]") == s.text
    )  # no item, no real passage: the structured text stands
