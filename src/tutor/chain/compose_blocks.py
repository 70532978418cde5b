"""How a retrieved passage is split into the blocks a reader sees (split from `tutor.chain.compose`).

A list (with the line that introduces it), a table, a paragraph, a question and its answer in a FAQ,
a code block: each is quoted whole, so an introduction that ends in "：" always comes with what it
introduces and a list of steps is never cut to its first two items.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tutor.chain.answer import Source
from tutor.chain.extractive import _readable
from tutor.chain.text import strip_markdown

__all__ = ["Block", "split_blocks"]

_HEADING = re.compile(r"^#{1,6}\s+(.*)$")
_BOLD_LABEL = re.compile(r"^\*\*([^*]{1,60}?)\*\*\s*[:：]?\s*$")
_QUESTION = re.compile(
    r"^(?:\*\*)?\s*(?:Q\d*|问\d*|问题\s*\d*)\s*[:：.、]\s*(.+?)(?:\*\*)?\s*$", re.IGNORECASE
)
_ANSWER = re.compile(r"^(?:\*\*)?\s*(?:A\d*|答\d*)\s*(?:\*\*)?\s*[:：.、]\s*(.*)$", re.IGNORECASE)
_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)、])\s+")
_TABLE = re.compile(r"^\s*\|.*\|\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")
_INTRO_END = re.compile(r"[:：]\s*(?:\*\*)?\s*$")
_CONCLUDES = re.compile(r"^(?:这表明|这说明|也就是说|由此可见|可见|即|因此|所以)")
_MATH = re.compile(r"^\s*\$\$")  # a display formula ("$$ … $$"): the essays' models and worked examples


@dataclass
class Block:
    """A unit that is quoted whole: a list, a table, a paragraph, a FAQ answer, a code block or a formula."""

    source: int
    position: int
    kind: str
    label: str = ""
    intro: str = ""
    lines: list[str] = field(default_factory=list)
    score: float = 0.0
    where: str = ""  # the section it is shown under, when not its passage's own (a document outline)

    @property
    def text(self) -> str:
        return "\n".join(x for x in (self.label, self.intro, *self.lines) if x)


def _clean(line: str) -> str:
    return re.sub(r"^\s*(?:[-*+]|\d+[.)、])\s+|^>\s*", "", line).strip()


class _Splitter:
    """Reads one passage line by line; each `_kind` method consumes its block and returns the next line."""

    def __init__(self, source: Source) -> None:
        self.source = source
        self.lines = source.text.splitlines()
        self.blocks: list[Block] = []
        self.label = ""
        self.intro = ""

    def add(self, kind: str, body: list[str]) -> None:
        if body:
            self.blocks.append(Block(self.source.n, len(self.blocks), kind, self.label, self.intro, body))
        self.intro = ""

    def _next_nonblank(self, k: int) -> int:
        while k < len(self.lines) and not self.lines[k].strip():
            k += 1
        return k

    def run(self) -> list[Block]:
        lines, i = self.lines, 0
        while i < len(lines):
            raw = lines[i].rstrip()
            stripped = raw.strip()
            if not stripped or set(stripped) <= set("-=*_ "):
                i += 1
            elif _FENCE.match(stripped):
                i = self._code(i)
            elif _MATH.match(stripped):
                i = self._math(i)
            elif heading := _HEADING.match(stripped):
                self.label, self.intro = heading.group(1).strip(), ""
                i += 1
            elif question := _QUESTION.match(stripped):
                i = self._qa(i, question.group(1))
            elif bold := _BOLD_LABEL.match(stripped):
                self.label, self.intro = bold.group(1).strip(), ""
                i += 1
            elif _TABLE.match(stripped):
                i = self._table(i)
            elif _ITEM.match(raw):
                i = self._list(i)
            else:
                i = self._para(i, stripped)
        labels = list(
            dict.fromkeys(b.label for b in self.blocks if b.label and b.kind in ("list", "para", "table"))
        )
        if len(labels) >= 3:  # "说了哪几步": the passage's own sub-headings, in order
            self.blocks.append(Block(self.source.n, len(self.blocks), "outline", "", "", labels))
        return self.blocks

    def _code(self, i: int) -> int:
        lines = self.lines
        j = i + 1
        while j < len(lines) and not _FENCE.match(lines[j].strip()):
            j += 1
        code = [x for x in lines[i + 1 : j] if x.strip()]
        self.add("code", ["```", *code, "```"] if code else [])
        return j + 1

    def _math(self, i: int) -> int:
        """A display formula, whole; the line introducing it ("…的技能提升速率为：") comes with it."""
        lines = self.lines
        first = lines[i].strip()
        j = i if first != "$$" and first.endswith("$$") and len(first) > 4 else i + 1
        while j < len(lines) and not lines[j].strip().endswith("$$"):
            j += 1
        k = self._next_nonblank(j + 1)  # its conclusion ("这表明 A 每天能提升约 16.8%") comes with it too
        said = [lines[k].strip()] if k < len(lines) and _CONCLUDES.match(lines[k].strip()) else []
        self.add("math", [x.strip() for x in lines[i : j + 1] if x.strip()] + said)
        return k + 1 if said else j + 1

    def _qa(self, i: int, question: str) -> int:
        lines = self.lines
        answer: list[str] = []
        j = i + 1
        while j < len(lines) and (
            not lines[j].strip()
            or not (_QUESTION.match(lines[j].strip()) or _HEADING.match(lines[j].strip()))
        ):
            text = lines[j].strip()
            if text and not set(text) <= set("-=*_ "):
                m = _ANSWER.match(text)
                answer.append(m.group(1) if m else _clean(text))
            j += 1
            if answer and j < len(lines) and not lines[j].strip():
                k = self._next_nonblank(j)
                # a blank line ends the answer unless it introduced a list that goes on
                if not (
                    k < len(lines)
                    and _ITEM.match(lines[k])
                    and (_INTRO_END.search(answer[-1]) or _ITEM.match(lines[j - 1]))
                ):
                    break
        body = [a for a in answer if a]
        self.blocks.append(Block(self.source.n, len(self.blocks), "qa", strip_markdown(question), "", body))
        self.intro = ""
        return j

    def _table(self, i: int) -> int:
        j = i
        rows: list[str] = []
        while j < len(self.lines) and _TABLE.match(self.lines[j].strip()):
            row = _readable(self.lines[j].strip())
            if row:
                rows.append(row)
            j += 1
        self.add("table", rows)
        return j

    def _list(self, i: int) -> int:
        lines = self.lines
        j = i
        items: list[str] = []
        while j < len(lines):
            line = lines[j]
            if not line.strip():
                # a blank line ends the list unless another item follows
                k = self._next_nonblank(j + 1)
                if k < len(lines) and _ITEM.match(lines[k]) and lines[k][:1] in " \t-*+0123456789":
                    j = k
                    continue
                break
            if _ITEM.match(line):
                indent = len(line) - len(line.lstrip())
                items.append(("  " if indent >= 2 else "") + _clean(line))
            elif line.startswith(("  ", "\t")) and items:
                items[-1] += " " + line.strip()
            else:
                break
            j += 1
        tail = ""
        while items and _INTRO_END.search(items[-1]):
            tail = items.pop().strip()  # an item that introduces what follows is never quoted alone
        self.add("list", [x for x in items if strip_markdown(x).strip()])
        k = self._next_nonblank(j)
        if tail and k < len(lines) and (_FENCE.match(lines[k].strip()) or _MATH.match(lines[k])):
            self.intro = tail
        return j

    def _para(self, i: int, stripped: str) -> int:
        """A paragraph line; one that introduces a list/table waits for it."""
        lines = self.lines
        if _INTRO_END.search(stripped):
            k = self._next_nonblank(i + 1)
            nxt = lines[k].strip() if k < len(lines) else ""
            if nxt and (_ITEM.match(lines[k]) or _TABLE.match(nxt) or _FENCE.match(nxt) or _MATH.match(nxt)):
                self.intro = stripped
                return k
            if not nxt or _HEADING.match(nxt) or _BOLD_LABEL.match(nxt):
                return i + 1  # an introduction whose body is cut off or absent is never quoted alone
        self.add("para", [stripped])
        return i + 1


def split_blocks(source: Source) -> list[Block]:
    """The blocks of one passage in reading order; introductions are attached to what follows them."""
    return _Splitter(source).run()
