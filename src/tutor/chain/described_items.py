"""A roadmap item described in the learner's own words, when the concept lexicon names none clearly.

"there's this thing where you mix keyword search (bm25) with embedding search — under which skill?" or
"把文档切成小块再存进向量库，这个切分的做法叫什么" describe one content item (混合检索（BM25 + Vector）, 文档切分策略)
while saying a word of another group as context (Embedding, 向量库).  When the lexicon of learners' descriptions
(`tutor.index.lexicon`) names no concept by its margin, every item of the parsed roadmap is compared with the
question (`tutor.chain.item_match`); an item that leads every item of another group by `ITEM_MARGIN` is the
answer: its group, skill and stage, cited to the group's lines, marked `concept` so the chain checks its scope.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from tutor.chain.concept_match import ASKS_NAME
from tutor.chain.concepts import _content_answer, _content_terms, _matching_text, _said, _Term, _terms_of
from tutor.chain.glossary import english_terms
from tutor.chain.item_match import match_units
from tutor.chain.refs import WHOLE_LIST
from tutor.chain.roadmap_units import GroupRef
from tutor.chain.structured_parts import Structured
from tutor.index.describing import descriptive

if TYPE_CHECKING:
    from tutor.chain.understanding import Understanding
    from tutor.curriculum.learners import Roadmap
    from tutor.index.embeddings import TutorEmbeddings

__all__ = ["ITEM_MARGIN", "KINDS_MARGIN", "described_item", "kinds_group"]

#: the question asks which kinds of one thing a skill teaches ("transformer 那章要掌握哪几种注意力", "what kinds of
#: conversation memory does the LangChain section cover"): one group's list, not the skill's whole content
_KINDS = re.compile(
    r"几种|哪几类|几类|\b(?:what|which) (?:kinds?|types?|sorts?|variants?) of\b", re.IGNORECASE
)


#: the question asks what one thing is called or where (under which skill) it is taught, not for a list
#: ("What deployment options does the roadmap cover" asks for a group, which the rules give whole)
_ASKS_ONE = re.compile(
    ASKS_NAME.pattern + r"|在哪|哪(?:个|一)(?:技能|阶段|部分|块|章|节)|属于哪|哪一?块|哪里|哪儿"
    r"|\bwhere\b|\bwhich (?:skill|stage|part|section)\b|\b(?:is|are) (?:that|this|it) (?:in|covered|taught)\b",
    re.IGNORECASE,
)

#: the lead the best item needs over the best item of any other group (measured on the labelled concept
#: questions of own + dev + spent: at 0.025 or more, 39 of 204, the matcher's item held an expected string in 34)
ITEM_MARGIN = 0.025
#: the lead the best item needs over the items of the named skill's other groups, for a "which kinds" question
#: (measured on the 22 such labelled questions naming one skill: at 0.015 or more its group held every
#: expected item, 19 of 19; below, 1 of 3)
KINDS_MARGIN = 0.015


def described_item(
    question: str,
    language: str,
    u: Understanding,
    roadmap: Roadmap,
    embedder: Callable[[], TutorEmbeddings] | None,
) -> Structured | None:
    """The group of the content item the question describes, when one item clearly wins; else None."""
    if embedder is None or not _ASKS_ONE.search(question) or _names_a_skill(u, roadmap):
        return None
    cur = roadmap.curriculum
    found = match_units(descriptive(question), _matching_text(question, language), cur, embedder)
    if found is None or found.item_margin < ITEM_MARGIN:
        return None
    key = (found.item.skill, found.item.group)
    said = _said_groups(question, roadmap)
    if said and said <= {key}:
        return None  # it names the item's own terms: the rules' answer (compose_concept) is that group
    item = cur.skill(found.item.skill).content[found.item.group].items[found.item.item]
    terms = _terms_of(item)
    if not terms:
        return None
    term = _Term(terms[0], found.item.skill, found.item.group, False)
    answer = _content_answer([term], roadmap, language, replace(u, skills=[]))
    return replace(answer, concept=True) if answer is not None else None


def kinds_group(
    question: str,
    language: str,
    u: Understanding,
    roadmap: Roadmap,
    embedder: Callable[[], TutorEmbeddings] | None,
) -> GroupRef | None:
    """The one group of the one named skill whose kinds the question asks for in its own words ("哪几种注意力"
    -> Attention 机制), when its best item leads the skill's other groups by `KINDS_MARGIN`; else None."""
    if embedder is None or len(u.skills) != 1 or u.stages or set(u.aspects) - {"content"}:
        return None
    if not _KINDS.search(question) or WHOLE_LIST.search(question):
        return None
    words = _matching_text(question, language)
    found = match_units(question, words, roadmap.curriculum, embedder, list(u.skills))
    if found is None or found.item_margin < KINDS_MARGIN:
        return None
    return GroupRef(found.item.skill, found.item.group)


def _names_a_skill(u: Understanding, roadmap: Roadmap) -> bool:
    """A skill is named by a word of its own name ("Where can I learn multimodal AI?" -> 多模态 AI): the question
    asks about the skill (its resources, its content), not about one item a description fits."""
    for number in u.skills:
        said = u.evidence.get(f"skill {number}", "")
        name = _fold(roadmap.curriculum.skill(number).name)
        if any(len(f) >= 2 and f in name for f in map(_fold, [said, *english_terms(said)])):
            return True
    return False


def _fold(text: str) -> str:
    return "".join(text.casefold().split())


def _said_groups(question: str, roadmap: Roadmap) -> set[tuple[int, int]]:
    """The (skill, group) of every content term the question itself says ("bm25" -> 检索策略); not the glossary's
    words for an English one ("external tools" -> Tool 定义 is what it describes, not a term it names)."""
    return {(t.skill, t.group) for t in _content_terms(roadmap) if _said(t.term, question)}
