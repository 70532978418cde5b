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
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from tutor.chain.scope import content_words
from tutor.chain.text import CJK, overlap_ratio

if TYPE_CHECKING:
    from tutor.index.embeddings import TutorEmbeddings
    from tutor.index.store import StoredChunk

__all__ = ["ASKS_NAME", "ASKS_WHAT_IT_MEANS", "described"]

#: the question asks for the name of what it describes: the terms it says are not the answer
ASKS_NAME = re.compile(
    r"叫(?:作|做)?什么|称(?:为|作)什么|什么名字|名称是"
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
