"""Roadmap items and groups matched by what the question describes (item_match, described_items)."""

from __future__ import annotations

import numpy as np

from tutor.chain.curriculum_answer import curriculum_answer
from tutor.chain.described_items import described_item, kinds_group
from tutor.chain.item_match import match_units, roadmap_units
from tutor.chain.understanding import understand
from tutor.curriculum.learners import Roadmap

# one dimension per topic, named in either language: a description lands near the item about it
_TOPICS = [
    ("BM25", "keyword", "关键词"),
    ("切分", "split", "切成"),
    ("Conversation", "记忆", "memory"),
    ("Attention", "注意力"),
]


class _TopicEmbedder:
    def __init__(self) -> None:
        self.stored = 0

    def _vector(self, text: str) -> list[float]:
        low = text.lower()
        v = np.array([1.0 if any(w.lower() in low for w in ws) else 0.0 for ws in _TOPICS] + [0.3])
        return list(v / np.linalg.norm(v))

    def embed_stored(self, texts: list[str]) -> list[list[float]]:
        self.stored += 1
        return [self._vector(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self._vector(text)

    def identity(self) -> str:
        return "topics"


def _ask(question: str, roadmap: Roadmap, language: str, model: _TopicEmbedder):
    u = understand(question, roadmap.curriculum, roadmap.config)
    return curriculum_answer(question, language, u, roadmap, None, lambda: model, describe=lambda q, d: None)


def test_every_item_and_titled_group_is_a_unit_with_its_context(roadmap) -> None:
    units = roadmap_units(roadmap.curriculum)
    texts = [u.text for u in units]
    assert any(t.startswith("Dropout（") and "深度学习原理" in t for t in texts)  # the item with its skill
    assert any(
        t.startswith("Conversation Buffer（Memory 管理，LangChain 开发）") for t in texts
    )  # with its group
    mixed = next(t for t in texts if t.startswith("混合精度训练"))
    assert "mixed precision" in mixed  # the glossary's English words for it
    n_items = sum(len(g.items) for s in roadmap.curriculum.skills for g in s.content)
    assert len(units) == n_items


def test_the_described_item_wins_and_its_vectors_are_embedded_once(roadmap) -> None:
    model = _TopicEmbedder()
    found = match_units("mix keyword search with embedding search", "", roadmap.curriculum, lambda: model)
    assert found is not None and found.item_margin > 0.1
    item = roadmap.curriculum.skill(found.item.skill).content[found.item.group].items[found.item.item]
    assert item == "混合检索（BM25 + Vector）"
    match_units("把文档切成小块", "", roadmap.curriculum, lambda: model)
    assert model.stored == 1  # once per curriculum and embedder, not per question


def test_a_described_item_answers_where_the_lexicon_names_none(roadmap) -> None:
    model = _TopicEmbedder()
    s = _ask(
        "there's this thing where you mix keyword search with embedding search - under which skill?",
        roadmap,
        "en",
        model,
    )
    assert s is not None and s.concept
    assert "混合检索（BM25 + Vector）" in s.text and "Skill 11" in s.text
    u = understand("把文档切成小块存起来的做法叫什么？", roadmap.curriculum, roadmap.config)
    s = described_item("把文档切成小块存起来的做法叫什么？", "zh", u, roadmap, lambda: model)
    assert s is not None and "文档切分策略" in s.text and "技能点 11" in s.text


def test_a_list_question_or_no_clear_winner_gets_no_item(roadmap) -> None:
    model = _TopicEmbedder()
    question = "What deployment options does the roadmap cover for serving a model?"
    u = understand(question, roadmap.curriculum, roadmap.config)
    assert (
        described_item(question, "en", u, roadmap, lambda: model) is None
    )  # a list: the rules' group answer
    question = "这个在路线图哪里讲？"  # near nothing: every item ties
    u = understand(question, roadmap.curriculum, roadmap.config)
    assert described_item(question, "zh", u, roadmap, lambda: model) is None
    assert described_item(question, "zh", u, roadmap, None) is None
    question = "Where can I learn keyword search in RAG?"  # a skill named by its own words: no item of it
    u = understand(question, roadmap.curriculum, roadmap.config)
    assert described_item(question, "en", u, roadmap, lambda: model) is None


def test_a_question_naming_the_items_own_term_keeps_the_rules_answer(roadmap) -> None:
    """ "过拟合在路线图哪里讲" names its term: compose_concept answers it; the matcher does not step in."""
    model = _TopicEmbedder()
    question = "BM25 在路线图哪里讲？"
    u = understand(question, roadmap.curriculum, roadmap.config)
    assert described_item(question, "zh", u, roadmap, lambda: model) is None
    # a term of another group said as context ("embedding" of 向量数据库) does not stop it
    question = "mixing BM25 keyword search with Embedding search — which skill?"
    u = understand(question, roadmap.curriculum, roadmap.config)
    s = described_item(question, "en", u, roadmap, lambda: model)
    assert s is not None and "混合检索（BM25 + Vector）" in s.text


def test_the_kinds_of_one_thing_a_skill_teaches_get_that_group_whole(roadmap) -> None:
    model = _TopicEmbedder()
    s = _ask("transformer 那章要掌握哪几种注意力？", roadmap, "zh", model)
    assert s is not None
    for item in ("Self-Attention", "Multi-Head Attention", "Scaled Dot-Product Attention"):
        assert item in s.text
    assert "Encoder" not in s.text and "GPT 架构" not in s.text  # not the skill's other groups
    for question in ("transformer 那章要学哪些内容？", "transformer 那章哪几种注意力、结构啥的都列出来"):
        u = understand(question, roadmap.curriculum, roadmap.config)  # no kinds asked, or the whole list
        assert kinds_group(question, "zh", u, roadmap, lambda: model) is None
