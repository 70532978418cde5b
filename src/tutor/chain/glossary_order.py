"""A glossary phrase said in another order or form ("contributing to open source" for "open-source contribution").

The glossary's keys are the learner's words for a heading or a topic, written once ("open-source contribution",
"time management").  English says the same phrase with its words turned round and inflected ("contributing to
open source", "managing my time"), which an exact match misses, so the Chinese word that names the section
is never added.  A key of two or more content words matches when every one of its word stems stands in the
question side by side (function words between them aside), in any order.  Stems are word beginnings: English inflection changes a
word's end ("contribut-ion", "contribut-ing", "manag-e", "manag-ing").
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["reordered_keys"]

#: words that carry no topic (a key's function words are not required of the question)
_FUNCTION = frozenset(
    "a an the to of for in on at and or with my your his her their its from by as into about is are be was were"
    " this that these those it they them i you we me us do does did can could should would will what how which"
    " who when where why there here so not no".split()
)
_WORD = re.compile(r"[a-z][a-z0-9]*")
#: a stem's length: long enough to keep "model" from "mode", short enough for "contribut-ion/-ing"
_STEM = 5
#: how many other content words may stand between a key's words (none: only function words may)
_SLACK = 0


def _stem(word: str) -> str:
    return word[:_STEM] if len(word) > _STEM else word


def _content_stems(text: str) -> list[str]:
    return [_stem(w) for w in _WORD.findall(text.lower()) if w not in _FUNCTION]


def reordered_keys(question: str, keys: Iterable[str]) -> list[tuple[str, int, int]]:
    """The multi-word keys whose content stems all occur in the question within a window of the key's
    size plus `_SLACK` words (function words not counted), each with the window's character span, in the
    order the question says them."""
    tokens = [(_stem(m.group(0)), m.span()) for m in _WORD.finditer(question.lower())]
    tokens = [(stem, span) for stem, span in tokens if stem not in _FUNCTION]
    positions: dict[str, list[int]] = {}
    for i, (stem, _) in enumerate(tokens):
        positions.setdefault(stem, []).append(i)
    found: list[tuple[str, int, int]] = []
    for key in keys:
        stems = set(_content_stems(key))
        if len(stems) < 2 or any(len(s) < 3 for s in stems) or not stems <= positions.keys():
            continue
        window = _window(stems, positions, len(stems) + _SLACK)
        if window is not None:
            found.append((key, tokens[window[0]][1][0], tokens[window[1]][1][1]))
    return sorted(found, key=lambda f: f[1])


def _window(stems: set[str], positions: dict[str, list[int]], size: int) -> tuple[int, int] | None:
    """The first and last word of the first window of `size` words holding every stem; None when none does."""
    for first in sorted({p for s in stems for p in positions[s]}):
        inside = [min((p for p in positions[s] if first <= p < first + size), default=-1) for s in stems]
        if -1 not in inside:
            return first, max(inside)
    return None
