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
from typing import Protocol

import numpy as np

from tutor.index.tokenize import tokenize


class _Described(Protocol):
    """A lexicon entry as the words see it (`tutor.index.lexicon.LexiconEntry`, which imports this module)."""

    @property
    def names(self) -> tuple[str, ...]: ...
    @property
    def descriptions(self) -> tuple[str, ...]: ...


__all__ = ["ASKING", "ASKS_NAME", "MIN_SHARED", "NAME_WEIGHT", "DescriptionWords", "word_weight"]

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

#: the question asks what a described thing is called ("路线里叫什么", "what is it called", "哪个知识点"): the
#: surest sign of a description, so its shared words may count more (`word_weight`)
ASKS_NAME = re.compile(
    r"叫什么|叫啥|什么名字|称为|称作|哪个知识点|什么知识点|\bcalled\b|\bwhat(?:'s| is) the (?:name|term)\b",
    re.IGNORECASE,
)
#: the words' weight is multiplied by this for a question that asks for a name (measured with
#: `described(answer=True)` on the 47 of own + dev + spent that ask so, concept23): x2 gives 6 concept questions
#: their right concept that had none or a sibling (dev-625, dev-630, s5-h067, s19-ma045, s21-oa086 Few-shot over
#: ReAct, s16-ja005 a same-skill sibling), x3 one more (dev-633); no question of another kind changed
NAME_WEIGHT = 3.0

_POINT = re.compile(r"知识点|技能点")

#: the distinct words a question must share with a concept's descriptions for any bonus: one or two common
#: words ("train", "best") are chance; a description is matched by several (LoRA's shares six)
MIN_SHARED = 3


class DescriptionWords:
    """BM25 (bm25s, as the keyword index) over one pseudo-document per concept: its descriptions and names."""

    def __init__(self, entries: Sequence[_Described]) -> None:
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


def word_weight(question: str, weight: float) -> float:
    """The words' weight for a question: `NAME_WEIGHT` times more when it asks what a thing is called."""
    return weight * NAME_WEIGHT if ASKS_NAME.search(question) else weight
