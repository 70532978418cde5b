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

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from tutor.index.tokenize import tokenize

if TYPE_CHECKING:
    from tutor.index.lexicon import LexiconEntry

__all__ = ["MIN_SHARED", "DescriptionWords"]


#: the distinct words a question must share with a concept's descriptions for any bonus: one or two common
#: words ("train", "best") are chance; a description is matched by several (LoRA's shares six)
MIN_SHARED = 3


class DescriptionWords:
    """BM25 (bm25s, as the keyword index) over one pseudo-document per concept: its descriptions and names."""

    def __init__(self, entries: Sequence[LexiconEntry]) -> None:
        import bm25s

        self._size = len(entries)
        self._bm25 = bm25s.BM25()
        if entries:
            self._bm25.index(
                [tokenize(" ".join([*e.names, *e.descriptions])) for e in entries], show_progress=False
            )

    def scores(self, text: str) -> np.ndarray:
        """Every concept's BM25 score for `text`, divided by the best (all zero when no word is shared)."""
        tokens = list(dict.fromkeys(tokenize(text)))  # each word once, as a set of query terms
        if not self._size or not tokens:
            return np.zeros(self._size, dtype=np.float64)
        per_word = np.asarray([self._bm25.get_scores([t]) for t in tokens], dtype=np.float64)
        out = per_word.sum(axis=0)  # BM25 is a sum over the query's words: one pass gives both
        shared = (per_word > 0).sum(axis=0)
        out[shared < MIN_SHARED] = 0.0  # "the best way to train for a marathon" shares only "best", "train"
        top = float(out.max(initial=0.0))
        return out / top if top > 0 else out
