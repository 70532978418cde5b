"""What gets cited next to the right passage (issue 12, precision on unseen questions): a passage that holds
nothing asked for is not quoted beside the one that answers — a resource card beside the section the question
names, a second section named only by a word the first one's text already holds, a concept's bare mention in
one skill beside the item of another that holds every word asked, the goal's stage lines beside a named
prerequisite's own content, and every stage line when the question asks by the roadmap's overall path."""

from __future__ import annotations

from tests.unit.chain.test_citation_scope import _answer, _cited
from tests.unit.chain.test_doc_parts import ESSAY, ROOT, STEPS, _chunk
from tutor.chain import compose
from tutor.chain.answer import Source
from tutor.chain.compose import select_blocks
from tutor.chain.concepts import _most_named, _Term
from tutor.chain.doc_parts import DocParts, named_sections
from tutor.chain.named_distinct import distinct_sections, naming_words
from tutor.chain.structured import missing_items
from tutor.chain.understanding import understand
from tutor.resources.cards import CARDS_DOC


def _passage(n: int, doc: str, headings: list[str], text: str) -> Source:
    return Source(n=n, id=f"p{n}", doc=doc, title=doc, headings=headings, lines=[n, n + 5], text=text)


def test_a_resource_card_is_not_quoted_beside_the_section_the_question_names(monkeypatch) -> None:
    card = _passage(1, CARDS_DOC, ["学习资源卡片", "Papers with Code · 论文+代码 · 英文"], "https://x.org")
    section = _passage(
        2, "roadmap", ["论文阅读", "必读经典论文"], "- **Attention Is All You Need**\n- **BERT**"
    )

    def both(ranked, *_args):  # the card ranked first, the named section's list beside it
        return sorted(ranked, key=lambda b: b.source)

    monkeypatch.setattr(compose, "_choose", both)
    question = "Which must-read papers does it list?"
    assert {b.source for b in select_blocks(question, [card, section], None, prefer={2})} == {2}
    # nothing named: the card stays
    assert 1 in {b.source for b in select_blocks(question, [card, section], None)}


TOOLS = _chunk(
    "crisis", 9, ["7. 工具和资源推荐", "7.2 开发工具推荐"], 60, "- 合理利用这些开发工具，提升微调效率。"
)


def test_a_section_named_by_a_word_the_other_named_sections_text_holds_is_dropped() -> None:
    parts = DocParts([*ESSAY, TOOLS])
    question = "中年危机那篇讲时间管理用什么工具？"
    named = named_sections(question, parts, "crisis")
    assert (ROOT, STEPS, "步骤3：时间管理") in named and ("7. 工具和资源推荐", "7.2 开发工具推荐") in named
    assert naming_words(question, "7.2 开发工具推荐") == {"工具"}
    assert distinct_sections(question, parts, "crisis") == [
        (ROOT, STEPS, "步骤3：时间管理")
    ]  # 工具支持 holds it
    # a word the first section does not hold keeps the second
    other = "中年危机那篇讲时间管理，还有开发工具推荐哪些？"  # 推荐: a word 步骤3 does not hold
    assert len(distinct_sections(other, parts, "crisis")) == 2


def test_a_concepts_group_that_holds_more_of_the_words_asked_is_cited_alone() -> None:
    hits = [_Term("模型量化", 7, 2, False), _Term("模型量化", 13, 1, False), _Term("int8", 13, 1, False)]
    assert _most_named(hits) == [(13, 1)]
    assert _most_named(hits[:2]) == [(7, 2), (13, 1)]  # the bare term alone: both places


def test_a_named_prerequisite_no_nearby_stage_holds_comes_without_the_goals_stage_lines(cur, cfg) -> None:
    s = _answer("想学 PyTorch 之前，Python 里哪些库得先熟悉？", cur, cfg)
    assert "NumPy" in s.text and "Matplotlib" in s.text
    assert not {st.heading for st in cur.stages} & set(_cited(s))


def test_the_overall_path_is_the_core_path(cur, cfg) -> None:
    s = _answer(
        "According to the overall path, what should I learn right before Transformers?", cur, cfg, "en"
    )
    assert "NLP → Transformer" in s.text and _cited(s) == ["核心路径"]


def test_which_stages_before_a_skill_are_the_overviews_stages(cur, cfg) -> None:
    s = _answer("做模型部署之前要先学完哪些阶段？", cur, cfg)
    assert _cited(s) == [cur.overview_citation.heading]
    assert all(cur.stage(n).heading in s.text for n in range(4)) and cur.stage(4).heading not in s.text
    skills = _answer("做模型部署之前要先学什么？", cur, cfg)  # no stages asked: the skills before it
    assert cur.overview_citation.heading not in _cited(skills)


def test_sections_named_by_the_same_word_or_only_by_steps_answer_for_no_other() -> None:
    uses = _chunk(
        "crisis", 10, [ROOT, "3.4 算法应用领域"], 70, "这些方法适用于所有职业。\n- **软件开发**：持续学习。"
    )
    scenes = _chunk("crisis", 11, ["6. 实际应用场景"], 80, "- 6.1 智能客服系统：大模型应用。")
    parts = DocParts([*ESSAY, uses, scenes])
    question = "中年危机那篇的方法能应用到哪些工作？"
    named = named_sections(question, parts, "crisis")
    assert (ROOT, "3.4 算法应用领域") in named and ("6. 实际应用场景",) in named
    assert distinct_sections(question, parts, "crisis") == named  # both named by 应用: named alike
    blog = _chunk("crisis", 12, ["6.3 技术博客"], 90, "- 写技术博客，做演讲。")
    steps = _chunk("crisis", 13, [ROOT, STEPS], 9, "- 通过技术博客、演讲分享见解。")
    parts = DocParts([*ESSAY, blog, steps])
    question = "中年危机那篇讲怎么写技术博客，步骤是什么？"
    kept = distinct_sections(question, parts, "crisis")
    assert ("6.3 技术博客",) in kept  # 3.2 holds 博客 but is named only by 步骤: no answer for 6.3


def test_how_good_asks_the_named_prerequisites_criteria(cur, cfg) -> None:
    s = _answer(
        "Do I need to be good at Python before starting on the ML stuff? How good exactly?", cur, cfg, "en"
    )
    assert not missing_items(s.text, cur.skill(1).checks)  # Python's own 检验标准, as 多好 asks in Chinese
    for described in (
        "How good is this roadmap for beginners?",
        "an agent keeping a table of how good each action is",
    ):
        assert "checks" not in understand(described, cur, cfg).aspects  # not a question of criteria
    assert "checks" in understand("math basics - how good do I actually need to be", cur, cfg).aspects
