"""A passage beside the one that answers earns its citation only by holding something asked that the first does
not (issue 12): a named appendix section whose naming word the answer already holds, a skill's own list beside the
roadmap-wide list that holds every word asked, are not quoted; a piece of the named section keeps it whole."""

from __future__ import annotations

from tutor.chain import compose
from tutor.chain.answer import Source
from tutor.chain.compose import select_blocks
from tutor.chain.compose_beside import adds_asked, asked_words, related
from tutor.chain.compose_blocks import Block

ROADMAP = "ai-learning-roadmap"


def _passage(n: int, headings: list[str], text: str) -> Source:
    return Source(n=n, id=f"p{n}", doc=ROADMAP, title=ROADMAP, headings=headings, lines=[n, n + 5], text=text)


def _both(ranked, *_args):  # every block, the lowest source number first: the lead is passage 1
    return sorted(ranked, key=lambda b: b.source)


RAG = _passage(
    1,
    ["技能点 11：RAG 检索增强 ⭐⭐⭐⭐⭐", "核心内容"],
    "**向量数据库**\n- Embedding 原理\n\n**检索策略**\n- 语义检索\n- 混合检索（BM25 + Vector）",
)
DATABASES = _passage(
    2, ["附录：常用工具和库", "向量数据库"], "- Chroma：轻量级向量数据库\n- Qdrant：高性能向量数据库"
)


def test_a_named_section_whose_naming_word_the_answer_holds_is_not_cited_beside_it(monkeypatch) -> None:
    monkeypatch.setattr(compose, "_choose", _both)
    question = "把关键词检索和向量检索结合起来用的那种检索方式叫啥"
    assert {b.source for b in select_blocks(question, [RAG, DATABASES], None, prefer={2})} == {1}
    # a naming word the answer lacks keeps the named section
    other = _passage(
        1, ["技能点 11：RAG 检索增强 ⭐⭐⭐⭐⭐", "核心内容"], "**检索策略**\n- 混合检索（BM25 + Vector）"
    )
    assert {b.source for b in select_blocks(question, [other, DATABASES], None, prefer={2})} == {1, 2}


def test_a_piece_of_the_named_section_keeps_the_whole_section() -> None:
    assert related(["论文阅读", "必读经典论文（按重要性排序）"], ["推荐资源汇总", "论文阅读"])
    assert not related(["技能点 10：Prompt Engineering", "实践项目"], ["学习建议", "2. 项目驱动学习"])


def test_another_sections_block_holding_no_word_asked_beyond_the_leads_is_dropped() -> None:
    lead = Block(1, 0, "list", "建议的项目序列", "", ["手写数字识别（入门）", "聊天机器人（LLM 应用）"])
    skill = Block(2, 0, "list", "", "", ["设计客服机器人的提示词", "设计代码生成的提示词"])
    headings = {1: ["学习建议", "2. 项目驱动学习"], 2: ["技能点 10：Prompt Engineering", "实践项目"]}
    expanded = "order projects beginner app 项目 入门 应用"
    assert {"项目", "入门", "应用"} <= asked_words(expanded)
    assert adds_asked(expanded, [lead, skill], set(), headings) == [lead]
    # a word asked that only the other block holds keeps it
    prompts = Block(2, 0, "list", "", "", ["设计客服机器人的提示词"])
    assert adds_asked(f"{expanded} 提示词", [lead, prompts], set(), headings) == [lead, prompts]
    # a section the question names is judged by its naming words, not here
    assert adds_asked(expanded, [lead, skill], {2}, headings) == [lead, skill]
