"""The next item of one of the material's ordered lists, for a learner who reports items of it done.

"手写数字识别和文本情感分析这两个项目都做完了，接下来做什么项目好？" and "I've read Attention Is All You Need. Which
paper should I read next?" ask what follows in a numbered list the material writes down (建议的项目序列, 必读经典
论文), not which skill the planner puts next: the answer is the item after the last one the learner names, quoted
and cited from the passage that holds the list.  The list is the one that names most of the reported items and
still has an item after them (手写数字识别 and 文本情感分析 are both in 技能点 5's projects too, as its last two).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from tutor.chain.answer import Answer, Source
from tutor.chain.glossary import english_terms
from tutor.whats_next import asks_next_step

__all__ = ["ListNext", "asks_list_item", "list_next_answer", "next_in_list", "ordered_lists"]

# what a learner asks the next one of: a project or a paper (the kinds of item the material lists in order)
_ITEM_KIND = re.compile(r"项目|论文|练手|\bpapers?\b|\bprojects?\b", re.IGNORECASE)
_PAPER = re.compile(r"论文|\bpapers?\b", re.IGNORECASE)
_ITEM = re.compile(r"^\s*(\d{1,2})[.、]\s+(\S.*?)\s*$")
_SUB = re.compile(
    r"^\s*(?:[-*+]\s|$)"
)  # an item's sub-lines ("   - 链接：…") and blank lines keep a list open
_CUT = re.compile(r"[（(:：]")
_LATIN = re.compile(r"^[\x00-\x7f]+$")
_MIN_ITEMS = 3
_SOURCES = 6


@dataclass(frozen=True)
class ListNext:
    """The list's passage, the items the learner named (by position) and the list's items as written."""

    source: Source
    named: tuple[int, ...]
    items: tuple[str, ...]

    @property
    def next_item(self) -> str:
        return self.items[max(self.named) + 1].replace("**", "")


def asks_list_item(question: str) -> bool:
    """Does the question ask what comes next among projects or papers ("接下来做什么项目", "which paper next")?"""
    return asks_next_step(question) and bool(_ITEM_KIND.search(question))


def ordered_lists(text: str) -> list[list[str]]:
    """The numbered lists in a passage (1., 2., 3. … in order), each as its items' text."""
    out: list[list[str]] = []
    run: list[str] = []
    for line in text.splitlines():
        m = _ITEM.match(line)
        if m and int(m.group(1)) == len(run) + 1:
            run.append(m.group(2))
        elif m and int(m.group(1)) == 1:
            out, run = out + [run], [m.group(2)]
        elif not _SUB.match(line):
            out, run = out + [run], []
    return [r for r in out + [run] if len(r) >= _MIN_ITEMS]


def _names(item: str) -> list[str]:
    """How a learner names an item: "**BERT: Pre-training …**" is "BERT"; "手写数字识别（入门）" is 手写数字识别;
    "MNIST 手写数字识别（MLP）" is that or 手写数字识别."""
    head = _CUT.split(item.replace("**", ""), 1)[0].strip()
    words = [w for w in head.split() if len(w) >= (4 if _LATIN.match(w) else 3)]
    return [n for n in dict.fromkeys([head, *words]) if len(n) >= 2]


def _said(name: str, question: str, terms: list[str]) -> bool:
    """The question names the item: its name, or (English) the material's word for it ("sentiment analysis")."""
    if _LATIN.match(name):
        return bool(re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", question, re.IGNORECASE))
    return name in question or any(len(t) >= 4 and t in name for t in terms)


def next_in_list(question: str, sources: list[Source]) -> ListNext | None:
    """The list among the first passages that names most of the question's items and has one after them."""
    best: ListNext | None = None
    terms = english_terms(question)
    kind = "论文" if _PAPER.search(question) else "项目"  # the list's own heading says which kind it lists
    for source in (s for s in sources[:_SOURCES] if kind in " ".join(s.headings)):
        for items in ordered_lists(source.text):
            named = tuple(
                i for i, item in enumerate(items) if any(_said(n, question, terms) for n in _names(item))
            )
            if named and max(named) + 1 < len(items) and (best is None or len(named) > len(best.named)):
                best = ListNext(source, named, tuple(items))
    return best


def list_next_answer(answer: Answer, retrieve: Callable[[str], list[Source]]) -> bool:
    """Answer with the next item of the list the learner reports items of done; False where none applies
    (retrieves only for a question that asks the next project or paper)."""
    if not asks_list_item(answer.question):
        return False
    got = next_in_list(answer.question, retrieve(answer.standalone_question))
    if got is None:
        return False
    source = got.source.model_copy(update={"n": 1, "cited": True})
    done = "、".join(_names(got.items[i])[0] for i in got.named)
    heading = source.headings[-1] if source.headings else source.title
    rest = [f"{i + 1}. {item}" for i, item in enumerate(got.items) if i > max(got.named)]
    if answer.language == "zh":
        lead = f"按资料里「{heading}」的顺序，{done} 之后是 **{got.next_item}** [1]。"
        tail = "列表里接下来依次是："
    else:
        lead = f'In the material\'s order ("{heading}"), after {done} comes **{got.next_item}** [1].'
        tail = "What follows in the list (quoted as written):"
    answer.text = f"{lead}\n\n{tail}\n" + "\n".join(f"- {r} [1]" for r in rest)
    answer.sources = [source]
    answer.composition = "list_next"
    return True
