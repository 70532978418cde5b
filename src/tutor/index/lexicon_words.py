"""A word-overlap score of a question against each lexicon concept's descriptions (issue 13).

The lexicon (`tutor.index.lexicon.LexiconMatcher`) matches a described concept by embedding similarity.
e5-small's similarities are flat: "有没有那种不用人打标签、让电脑自己把相似的数据归成几类的方法" is nearest
文本分类 (0.914) with K-means fourth (0.905), though only K-means' descriptions share its words (标签, 归成,
几类).  A BM25 score over each concept's descriptions and names, in the same tokens as the keyword index
(jieba + English stems, stop words dropped), scaled so the best concept gets 1, is added to the embedding
score times a small weight (`retrieval.concept_lexicon_words`): a concept whose descriptions share the
question's rarer words wins an embedding near-tie, not a clear embedding lead.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from tutor.index.tokenize import tokenize

if TYPE_CHECKING:
    from tutor.index.lexicon import LexiconEntry

__all__ = ["DescriptionWords"]

_K1 = 1.2
_B = 0.75


class DescriptionWords:
    """BM25 over one pseudo-document per concept: its descriptions, term and aliases."""

    def __init__(self, entries: Sequence[LexiconEntry]) -> None:
        self._docs = [Counter(tokenize(" ".join([*e.names, *e.descriptions]))) for e in entries]
        lengths = np.asarray([sum(d.values()) for d in self._docs], dtype=np.float64)
        self._norm = _K1 * (1 - _B + _B * lengths / max(float(lengths.mean()) if len(lengths) else 1.0, 1.0))
        df: Counter[str] = Counter(t for d in self._docs for t in d)
        n = len(self._docs)
        self._idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in df.items()}

    def scores(self, text: str) -> np.ndarray:
        """Every concept's BM25 score for `text`, divided by the best (all zero when no word is shared)."""
        out = np.zeros(len(self._docs), dtype=np.float64)
        for token in set(tokenize(text)):
            idf = self._idf.get(token)
            if idf is None:
                continue
            tf = np.asarray([d.get(token, 0) for d in self._docs], dtype=np.float64)
            out += idf * tf * (_K1 + 1) / (tf + self._norm)
        top = float(out.max(initial=0.0))
        return out / top if top > 0 else out
