"""The order of one of the material's numbered lists, asked: that list, whole and in its order.

"项目应该按什么顺序做？", "In what order does the roadmap suggest doing practice projects?", "那几篇经典论文应该按什么
顺序读？" ask for a list the roadmap writes down in order (建议的项目序列, 必读经典论文（按重要性排序）), not for
the passage that scores best on "project" (a skill's 实践项目) or on "paper" (how to read one).  The list is found in
a retrieved passage whose headings name the kind of item asked (项目, 论文) and which holds a numbered list written
as an order ("建议的项目序列", "按重要性排序" — a skill's numbered 实践项目 is no order); the
whole section is quoted, so a list that retrieval cut into two chunks is one answer.  A learner who reports items
done and asks for the next one is `chain.list_next`'s.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from tutor.chain.answer import Source
from tutor.chain.compose_blocks import Block, split_blocks
from tutor.chain.list_next import ordered_lists
from tutor.chain.sections import add_source

__all__ = ["LIST_ORDER", "ordered_list_blocks"]

# the order of one of the roadmap's own lists ("Which must-read papers…, and in what order?", "a suggested
# sequence of projects"): its content, not what the learner should learn next
LIST_ORDER = re.compile(
    r"(?:论文|项目|书|阶段).{0,12}(?:顺序|先后|排序|序列)|(?:顺序|先后|排序|序列).{0,12}(?:论文|项目|书)"
    r"|\b(?:papers?|projects?|books?|stages?)\b.{0,60}\b(?:order|sequence|ordered)\b"
    r"|\b(?:order|sequence)\b.{0,60}\b(?:papers?|projects?|books?)\b",
    re.IGNORECASE,
)
_KINDS = (
    ("论文", re.compile(r"论文|\bpapers?\b", re.IGNORECASE)),
    ("项目", re.compile(r"项目|\bprojects?\b", re.I)),
)
# the list is written as an order: "建议的项目序列", "必读经典论文（按重要性排序）"
_ORDERED = re.compile(r"序列|顺序|排序|按.{0,6}排")
_LOOKED_AT = 8  # the best passages only: a list far down the ranking is not what was asked


def _first_item(item: str) -> str:
    return re.split(r"[（(:：]", item.replace("**", ""), maxsplit=1)[0].strip()


def _holds_order(source: Source, kind: str) -> bool:
    where = "".join(source.headings)
    return kind in where and bool(_ORDERED.search(where + source.text)) and bool(ordered_lists(source.text))


def ordered_list_blocks(
    question: str,
    sources: list[Source],
    section: Callable[[str, Sequence[str]], Source | None],
    everything: Callable[[], list[Source]] = list,
) -> list[Block] | None:
    """The numbered list of the kind of item asked, from the first passage that holds one under a heading naming
    that kind (the best passages first, then every passage of the material: `everything`), quoted from its whole
    section (added to `sources`); None when no order of projects or papers is asked or the material has none."""
    kind = next((k for k, rx in _KINDS if rx.search(question)), None)
    if kind is None or not LIST_ORDER.search(question):
        return None
    source = next((s for s in sources[:_LOOKED_AT] if _holds_order(s, kind)), None)
    source = source or next((s for s in everything() if _holds_order(s, kind)), None)
    if source is None:
        return None
    whole = section(source.doc, source.headings) or source
    passage = add_source(whole, sources)
    for items in ordered_lists(passage.text):
        first = _first_item(items[0])
        found = [b for b in split_blocks(passage) if b.kind == "list" and first in "\n".join(b.lines)]
        if found:
            return found[:1]
    return None
