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

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from tutor.index.tokenize import tokenize

if TYPE_CHECKING:
    from tutor.index.lexicon import LexiconEntry

__all__ = ["ASKING", "MIN_SHARED", "DescriptionWords"]

#: the tokens of asking where or under what name the material teaches a thing ("路线图里叫啥", "which part of the
#: roadmap covers that"): words of the question's frame, not of the description.  Kept, they matched whichever
#: concept's descriptions happen to say "路线"/"现象"/"part" ("…这个现象路线图里叫啥" gave 职业规划 0.98 of the best).
#: Measured with `described(answer=True)` over own + dev + spent (concept23): labelled concept questions given
#: their right concept 135 -> 139 (s12-f064, s18-la045, s20-na015, s21-oa100, four writers), none lost; questions
#: of other kinds given a concept 247 -> 235 (5 new, 17 gone, most of those wrong ones).  Giving the words more
#: weight was measured worse: 0.05 (before this list) 135 -> 147 concept questions but 77 other questions newly
#: read as a concept; 0.04 on the words' winner's lead only (over the runner-up's share) 134 right, 9 of the
#: 135 lost, and 46 other questions newly read as a concept
ASKING = frozenset(
    "roadmap call name term learn teach taught materi cours curriculum skill stage section part topic cover "
    "deal show thing 路线 路线图 线图 叫 叫做 啥 称为 称作 名字 哪个 那个 这个 那种 这种 现象 知识点 哪学 属于 "
    "阶段 技能 技能点 资料 课程 教程".split()
)

_POINT = re.compile(r"知识点|技能点")

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
        text = _POINT.sub(" ", text)  # jieba splits 知识点 into 知识 + 知识点: 知识 would match 知识蒸馏
        tokens = [t for t in dict.fromkeys(tokenize(text)) if t not in ASKING]  # each describing word once
        if not self._size or not tokens:
            return np.zeros(self._size, dtype=np.float64)
        per_word = np.asarray([self._bm25.get_scores([t]) for t in tokens], dtype=np.float64)
        out = per_word.sum(axis=0)  # BM25 is a sum over the query's words: one pass gives both
        shared = (per_word > 0).sum(axis=0)
        out[shared < MIN_SHARED] = 0.0  # "the best way to train for a marathon" shares only "best", "train"
        top = float(out.max(initial=0.0))
        return out / top if top > 0 else out
