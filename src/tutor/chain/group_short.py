"""Topic groups named by a short form inside a list of their siblings ("线代、微积分、概率分别有啥用").

A learner listing a skill's groups shortens some of them the way Chinese shortens a four-character term: its first
word ("概率" for 概率统计) or the first character of each of its two words ("线代" for 线性代数).  Alone, such a
form is too loose to name a group ("文本" of 文本表示 is in many questions); beside a sibling named in full, in the
same list, it names its group.
"""

from __future__ import annotations

import re

__all__ = ["short_forms", "with_siblings"]

_HAN = re.compile(r"^[\u4e00-\u9fff]{4}$")
_LIST = re.compile(r"[、和与及]")


def short_forms(title: str) -> list[str]:
    """'线性代数' -> 线性, 线代; a title that is not four Chinese characters has none."""
    return [title[:2], title[0] + title[2]] if _HAN.match(title) else []


def with_siblings(question: str, titles: list[str | None], named: list[int]) -> list[int]:
    """The named groups' indices with the siblings said by a short form (when the question lists groups and one
    is named in full), in the roadmap's order."""
    if not named or not _LIST.search(question):
        return named
    text = re.sub(r"\s+", "", question)
    short = [
        k
        for k, t in enumerate(titles)
        if t and any(_listed(f, text) for f in short_forms(re.sub(r"\s+", "", t)))
    ]
    return sorted({*named, *short})


def _listed(form: str, text: str) -> bool:
    """The short form stands as an item of a Chinese list ("线代、", "、概率"), not inside other words."""
    return re.search(rf"(?:[、和与及]{re.escape(form)}|{re.escape(form)}[、和与及])", text) is not None
