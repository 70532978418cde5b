"""A concept described without its keyword: the article's definition line nearest the description.

"意见领袖那篇文章里，把对市场趋势、客户需求和竞争环境的了解叫作什么？" or "What does the midlife essay mean
by organising your day so you stop doing needless overtime?" name no defined term; they describe one.
The words they do say are no guide (a term said while asking for a name is not the name, and the
article's own title word, "the curiosity essay", is one of its defined terms), so the named article's
definition lines are ranked by how close each whole line (term and description) is to the question:
embedding similarity plus the material's words the question shares with the line (an English
question through the glossary).  Read from the article's structure, never from known questions.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, TypeVar

import numpy as np

from tutor.chain.scope import content_words
from tutor.chain.sections import source_of
from tutor.chain.structured_parts import Structured
from tutor.chain.text import CJK, overlap_ratio, strip_markdown

if TYPE_CHECKING:
    from tutor.chain.doc_parts import DocParts
    from tutor.index.embeddings import TutorEmbeddings
    from tutor.index.lexicon import LexiconHit
    from tutor.index.store import StoredChunk

__all__ = ["ASKS_NAME", "ASKS_WHAT_IT_MEANS", "described", "lexicon_passage", "lexicon_terms"]

T = TypeVar("T")

#: the question asks for the name of what it describes: the terms it says are not the answer
ASKS_NAME = re.compile(
    r"叫(?:作|做)?(?:什么|啥)|称(?:为|作)(?:什么|啥)|(?:什么|啥)名字|名称是"
    r"|\bcalled\b|\bname (?:for|of)\b|\bterm for\b|\bwhat (?:do|does)\b[^?？]{0,40}\bcall\b",
    re.IGNORECASE,
)
#: the question asks what something means; when no defined term stands in it, it describes one
ASKS_WHAT_IT_MEANS = re.compile(
    r"什么意思|啥意思|指什么|指的是|含义|定义|怎么理解|\bmean(?:s|t)?\b|\bmeaning\b|\bdefin", re.IGNORECASE
)
#: share of the question's words in the line, next to the embedding similarity (measured on both sets,
#: eval/README.md seventh round: similarity alone put the right line second by 0.002-0.003 twice)
_W_WORDS = 0.1
#: other lines as close as the best are quoted with it (the same passage: one citation)
_TIE = 0.01


def _words(question: str, expanded: str) -> str:
    if CJK.search(question):
        return question
    return " ".join([*content_words(question), expanded[len(question) :].strip()])


def described(
    question: str,
    expanded: str,
    lines: list[tuple[StoredChunk, str]],
    embedder: Callable[[], TutorEmbeddings] | None,
    limit: int = 2,
) -> list[tuple[StoredChunk, str]]:
    """The definition lines closest to the question's description, best first (at most `limit`, the
    best and those within `_TIE` of it); [] without lines or an embedder."""
    if not lines or embedder is None:
        return []
    model = embedder()
    vectors = np.asarray(model.embed_stored([line for _, line in lines]), dtype=np.float32)
    query = np.asarray(model.embed_query(question), dtype=np.float32)
    words = _words(question, expanded)
    scores = [
        float(sim) + _W_WORDS * overlap_ratio(words, line)
        for sim, (_, line) in zip(vectors @ query, lines, strict=True)
    ]
    order = sorted(range(len(lines)), key=lambda k: -scores[k])
    best = scores[order[0]]
    return [lines[k] for k in order[:limit] if scores[k] >= best - _TIE]


def lexicon_terms(hit: LexiconHit, terms: Sequence[T], term_of: Callable[[T], str]) -> list[T]:
    """The roadmap content terms that are the lexicon concept (its term or an alias, case and width folded)."""
    names = {_fold(n) for n in hit.entry.names}
    return [t for t in terms if _fold(term_of(t)) in names]


def lexicon_passage(hit: LexiconHit, parts: DocParts, language: str) -> Structured | None:
    """The concept's name and the lines of its section that name it, cited to their passage (when the
    concept is no item of the roadmap's skill lists: an essay's idea, a roadmap paragraph)."""
    entry = hit.entry
    names = [_fold(n) for n in entry.names]
    section = _fold(entry.section)
    for chunk in parts.docs.get(entry.doc, []):
        if section not in {_fold(h) for h in chunk.headings}:
            continue
        lines = [ln.strip() for ln in chunk.text.splitlines() if any(n in _fold(ln) for n in names)]
        lines = [strip_markdown(ln).lstrip("-*# ").strip() for ln in lines if not ln.startswith("#")]
        if not lines:
            continue
        source = source_of(1, chunk)
        source.cited = True
        where = " › ".join(source.headings[-2:])
        aka = "、".join(entry.aliases[:2])
        lead = (
            f"你描述的应该是「{entry.term}」" + (f"（{aka}）" if aka else "") + f"，资料在 **{where}** 讲到："
            if language == "zh"
            else f"What you describe sounds like “{entry.term}”"
            + (f" ({aka})" if aka else "")
            + f"; the material covers it under **{where}** (quoted in the original Chinese):"
        )
        body = [f"- {ln} [1]" for ln in lines[:4]]
        return Structured(text="\n".join([lead, *body]), sources=[source], items=lines[:4])
    return None


def _fold(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).casefold().split())
