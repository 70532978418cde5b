"""Which roadmap content item a question describes, scored over the parsed roadmap itself.

A learner describes a technique in their own words ("randomly switching off neurons so the net doesn't
overfit", "用半精度训练省显存的那个技巧").  The words they say are often not the item's: the item ("Dropout", "混合精度训练") is one line of a skill's content.
Every content item is one small text here, written with its context (its group title and skill name) plus the
glossary's English words for it, and embedded with the retriever's own embedder (`embed_stored`: cached on
disk per embedder identity, once).  A question is embedded once and compared with every item; the best item
and its lead over the best item of another group are what the chain gates on (`tutor.chain.described_items`).
Read from the roadmap's structure only, never from known questions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from tutor.chain.glossary import GLOSSARY
from tutor.chain.glossary_topics import TOPIC_WORDS
from tutor.chain.text import overlap_ratio, strip_markdown

if TYPE_CHECKING:
    from tutor.curriculum.model import Curriculum
    from tutor.index.embeddings import TutorEmbeddings

__all__ = ["ItemMatch", "Unit", "match_units", "roadmap_units"]

#: share of the question's words in the unit, next to the embedding similarity (as `concept_match._W_WORDS`)
_W_WORDS = 0.1


@dataclass(frozen=True)
class Unit:
    """One content item: its skill, its group (index into the skill's content) and its index in the group."""

    skill: int
    group: int
    item: int
    text: str


@dataclass(frozen=True)
class ItemMatch:
    """The best item for a question, with its lead over the best item of another group."""

    item: Unit
    item_score: float
    item_margin: float


def _english(text: str) -> list[str]:
    """The glossary's English words whose material word stands in the text ("混合精度训练" -> mixed precision)."""
    words = {**TOPIC_WORDS, **GLOSSARY}
    return list(dict.fromkeys(k for k, v in words.items() if len(v) >= 2 and v in text and len(k) >= 3))[:4]


def roadmap_units(cur: Curriculum) -> tuple[Unit, ...]:
    """Every content item, written with its group title and skill name."""
    units: list[Unit] = []
    for skill in cur.skills:
        for k, group in enumerate(skill.content):
            label = strip_markdown(group.title or group.section)
            for i, raw in enumerate(group.items):
                item = strip_markdown(raw)
                extra = _english(item)
                text = f"{item}（{label}，{skill.name}）" + (f" {', '.join(extra)}" if extra else "")
                units.append(Unit(skill.number, k, i, text))
    return tuple(units)


def match_units(
    question: str,
    words: str,
    cur: Curriculum,
    embedder: Callable[[], TutorEmbeddings],
    skills: list[int] | None = None,
) -> ItemMatch | None:
    """The best item for the question (of `skills` only, when given); `words`: the text whose words are
    compared (an English question with the glossary's Chinese added). None without items."""
    model = embedder()
    every, matrix = _vectors(cur, model)
    keep = [k for k, u in enumerate(every) if not skills or u.skill in skills]
    if not keep:
        return None
    units, vectors = [every[k] for k in keep], matrix[keep]
    query = np.asarray(model.embed_query(question), dtype=np.float32)
    scores = [
        float(s) + _W_WORDS * overlap_ratio(words, u.text)
        for s, u in zip(vectors @ query, units, strict=True)
    ]
    best, margin = _best(units, scores, list(range(len(units))))
    return ItemMatch(units[best], scores[best], margin)


#: (curriculum, embedder identity) -> units and their vectors: embedded once per process (and on disk, once)
_CACHE: dict[tuple[int, str], tuple[Curriculum, tuple[Unit, ...], np.ndarray]] = {}


def _vectors(cur: Curriculum, model: TutorEmbeddings) -> tuple[tuple[Unit, ...], np.ndarray]:
    key = (id(cur), model.identity())
    if key not in _CACHE or _CACHE[key][0] is not cur:
        units = roadmap_units(cur)
        vectors = np.asarray(model.embed_stored([u.text for u in units]), dtype=np.float32)
        _CACHE.clear()
        _CACHE[key] = (cur, units, vectors)
    return _CACHE[key][1], _CACHE[key][2]


def _best(units: list[Unit], scores: list[float], among: list[int]) -> tuple[int, float]:
    """The best unit among `among` and its lead over the best of those in another group (1.0 when none is)."""
    best = max(among, key=lambda k: scores[k])
    key = (units[best].skill, units[best].group)
    others = [scores[k] for k in among if (units[k].skill, units[k].group) != key]
    return best, scores[best] - max(others) if others else 1.0
