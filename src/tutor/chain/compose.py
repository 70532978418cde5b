"""Section-aware extractive answers: quote whole blocks of the best passages, not loose sentences.

A retrieved passage is split into blocks the way a reader sees it: a list (with the
line that introduces it), a table, a paragraph, a question and its answer in a FAQ.
Blocks are ranked against the question (embedding similarity plus word overlap) and
quoted whole, so an introduction that ends in "：" always comes with what it
introduces and a list of steps is never cut to its first two items.  The passage the
retriever ranked first always contributes its best block; duplicates are dropped; a
FAQ question that matches the learner's question is answered with its own answer.
Passages flagged at ingest as containing injected instructions (`injection_flag`) are
never quoted (the contract with the security checks).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from tutor.chain.answer import Source
from tutor.chain.extractive import _readable
from tutor.chain.glossary import expand_english
from tutor.chain.scope import content_words
from tutor.chain.text import CJK, overlap_ratio, strip_markdown, trigram_jaccard
from tutor.resources.cards import CARDS_DOC

if TYPE_CHECKING:
    from tutor.index.embeddings import TutorEmbeddings

__all__ = ["HOW_TO", "STEPS_HEADING", "Block", "select_blocks", "split_blocks"]

# A how-to or advice question is answered by a procedure: lists, best from a steps/methods section.
HOW_TO = re.compile(
    r"怎么|如何|怎样|应对|方法|步骤|几步|哪些步|流程|过程|做法|策略|办法|建议|提升|提高|锻炼|培养"
    r"|\bhow (do|can|should|to|would)\b|\bsteps?\b|\bprocess\b|\boutline\b|\bways? to\b|\btips\b"
    r"|\badvice\b|\bimprove\b|\bdeal with\b|\bcope\b",
    re.IGNORECASE,
)
STEPS_HEADING = re.compile(r"步骤|方法|策略|建议|做法|路径|操作")

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
_MAX_LIST = 12
_PREFERRED = 0.06  # a block of a section the question names by its heading
# a block whose heading or label holds the question's rarer words (heading IDF, relative to the best
# such block); a list in an advice/steps section for a how-to question.  Measured on both sets
# (eval/README.md): the steps bonus at 0.06 let a steps section outrank the retriever's first passage
_W_SPECIFIC = 0.05
_W_STEPS = 0.03
# another passage than the best block's is quoted (and cited) only for a block nearly as close; measured on both
# sets (eval/README.md, 6th round): needed ones within 0.012 of the best, extras holding nothing 0.015-0.031 below
_OTHER_PASSAGE_MARGIN = 0.02
_CONCLUDES = re.compile(r"^(?:这些|以上|上述|通过以上|通过这些|综上|总之|总的来说)")
_ASKS_LIST = re.compile(r"哪些|哪几|几个|有什么|\bwhat are\b|\bwhich\b|\blist\b", re.IGNORECASE)
_ASKS_CODE = re.compile(r"代码|命令|安装|配置|示例|code|command|install|snippet|example", re.IGNORECASE)


@dataclass
class Block:
    """A unit that is quoted whole: a list, a table, a paragraph, a FAQ answer or a code block."""

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
        if tail and k < len(lines) and _FENCE.match(lines[k].strip()):
            self.intro = tail
        return j

    def _para(self, i: int, stripped: str) -> int:
        """A paragraph line; one that introduces a list/table waits for it."""
        lines = self.lines
        if _INTRO_END.search(stripped):
            k = self._next_nonblank(i + 1)
            nxt = lines[k].strip() if k < len(lines) else ""
            if nxt and (_ITEM.match(lines[k]) or _TABLE.match(nxt) or _FENCE.match(nxt)):
                self.intro = stripped
                return k
            if not nxt or _HEADING.match(nxt) or _BOLD_LABEL.match(nxt):
                return i + 1  # an introduction whose body is cut off or absent is never quoted alone
        self.add("para", [stripped])
        return i + 1


def split_blocks(source: Source) -> list[Block]:
    """The blocks of one passage in reading order; introductions are attached to what follows them."""
    return _Splitter(source).run()


def _card_block(source: Source) -> Block:
    link = re.search(r"https?://\S+", source.text)
    name, _, facts = source.headings[-1].partition(" · ") if source.headings else (source.title, "", "")
    shown = f"[{name}]({link.group(0)})" if link else name
    return Block(source.n, 0, "card", "", "", [f"{shown}{' · ' + facts if facts else ''}"])


def _content_text(question: str) -> str:
    """An English question's content words and the material's words for its terms: its function words ("the",
    "of") matched any block with English in it (paper titles, resource names, an author line)."""
    expanded = expand_english(question)
    return " ".join([*content_words(question), expanded[len(question) :].strip()]).strip()


def _matching_items(block: Block, question: str) -> list[str]:
    return [x for x in block.lines if overlap_ratio(question, x) > 0 and overlap_ratio(x, question) >= 0.15]


def select_blocks(
    question: str,
    sources: list[Source],
    embedder: TutorEmbeddings | None,
    limit: int = 2,
    budget: int = 1400,
    margin: float = 0.035,
    prefer: frozenset[int] | set[int] = frozenset(),
    specific: Callable[[str], float] | None = None,
) -> list[Block]:
    """The best blocks to quote, best first; the first passage's best block joins when within `margin`.

    Blocks of the passages in `prefer` (whole sections the question names) score higher; so do blocks
    whose heading or label holds the question's rarer words (`specific`: heading text -> weight)."""
    usable = [s for s in sources if not s.injection_flag]
    blocks: list[Block] = []
    for source in usable:
        if source.doc == CARDS_DOC:
            blocks.append(_card_block(source))
        else:
            blocks.extend(split_blocks(source))
    if not blocks:
        return []
    expanded = question if CJK.search(question) else _content_text(question)
    _score(question, expanded, blocks, usable, embedder, specific)
    for block in blocks:
        if block.source in prefer:
            block.score += _PREFERRED
    chosen = _choose(sorted(blocks, key=lambda b: -b.score), usable[0].n, expanded, limit, budget, margin)
    if chosen[0].source in prefer:  # the section the question names answers it: no other passage joins
        chosen = [b for b in chosen if b.source in prefer]
    return chosen


def _score(
    question: str,
    expanded: str,
    blocks: list[Block],
    usable: list[Source],
    embedder: TutorEmbeddings | None,
    specific: Callable[[str], float] | None = None,
) -> None:
    """Each block's score: similarity to the question, words in common, and what kind of block it is."""
    by_n = {s.n: s for s in usable}
    how_to = bool(HOW_TO.search(question))

    def where(b: Block) -> str:
        headings = by_n[b.source].headings
        return " ".join([*headings[-1:], b.label]) if b.label else " ".join(headings[-2:])

    texts = [
        strip_markdown(f"{where(b)} {b.label if b.kind == 'qa' else ''} {b.intro} {' '.join(b.lines)}")[:500]
        for b in blocks
    ]
    if embedder is not None:
        vectors = np.asarray(embedder.embed_stored(texts), dtype=np.float32)  # from disk after the first time
        query = np.asarray(embedder.embed_query(question), dtype=np.float32)
        sims = vectors @ query
    else:
        sims = np.linspace(1.0, 0.5, len(blocks))
    rank = {s.n: i for i, s in enumerate(usable)}
    # the section's own heading and the block's label: not the document's title above it, which names
    # the article the question is about rather than the part that answers it
    weights = [
        specific(" ".join([*by_n[b.source].headings[-1:], b.label])) if specific else 0.0 for b in blocks
    ]
    top = max(weights, default=0.0) or 1.0
    for block, sim, text, weight in zip(blocks, sims, texts, weights, strict=True):
        lexical = overlap_ratio(expanded, text)
        heading = overlap_ratio(expanded, where(block)) if where(block) else 0.0
        # how much of the block's own label the question names ("有啥缺点" -> the block labelled 缺点)
        named = max(
            overlap_ratio(block.label, expanded) if block.label and block.kind != "qa" else 0.0,
            overlap_ratio(by_n[block.source].headings[-1], expanded) if by_n[block.source].headings else 0.0,
        )
        bonus = 0.05 * min(1.0, heading * 3) + 0.05 * named + _W_SPECIFIC * weight / top
        if block.kind == "qa":
            bonus += 0.08 * overlap_ratio(expanded, block.label) + (
                0.03 if overlap_ratio(expanded, block.label) > 0.5 else 0
            )
        if how_to and block.kind in ("list", "qa"):
            bonus += 0.03 + (
                _W_STEPS if any(STEPS_HEADING.search(h) for h in by_n[block.source].headings) else 0.0
            )
        elif how_to and block.kind == "para":
            bonus -= 0.03
        block.score = float(sim) + 0.08 * lexical + bonus - 0.012 * min(rank[block.source], 3)
        if block.kind == "para" and len(strip_markdown(" ".join(block.lines))) < 12:
            block.score -= 0.05  # a fragment says little on its own
        if block.kind == "outline" and not (how_to or _ASKS_LIST.search(question)):
            block.score -= 0.05  # an outline answers "which steps / which directions", little else
        if block.kind == "code" and not _ASKS_CODE.search(question):
            block.score -= 0.05


def _choose(
    ordered: list[Block], first: int, expanded: str, limit: int, budget: int, margin: float
) -> list[Block]:
    """The best block, the first passage's best when about as good, then others within `margin`."""
    best = ordered[0].score
    chosen: list[Block] = [ordered[0]]

    def close(block: Block) -> bool:  # another passage than the best block's must be nearly as good
        other = block.source != ordered[0].source
        return block.score >= best - (min(margin, _OTHER_PASSAGE_MARGIN) if other else margin)

    # the first passage is not skipped for a weaker one: its best block joins when it is about as good
    first_best = next((b for b in ordered if b.source == first), None)
    if first_best is not None and first_best is not ordered[0] and close(first_best):
        chosen.append(first_best)
    used = sum(sum(len(x) for x in b.lines) for b in chosen)
    for block in ordered:
        if len(chosen) >= limit or block.score < best - margin:
            break
        if block in chosen or not close(block):
            continue
        if any(
            trigram_jaccard(block.text, c.text) > 0.5
            or strip_markdown(" ".join(block.lines)) in strip_markdown(" ".join(c.lines))
            for c in chosen
        ):
            continue
        size = sum(len(x) for x in block.lines)
        if used + size > budget:
            continue
        chosen.append(block)
        used += size
    for k, block in enumerate(chosen):
        # "这些研究方向的探索，将为…": a conclusion that refers back to the list before it says little
        # without that list, as an introduction says little without what it introduces
        if block.kind == "para" and _CONCLUDES.match(block.lines[0] if block.lines else ""):
            concluded = next(
                (b for b in ordered if b.source == block.source and b.position == block.position - 1), None
            )
            if concluded is not None and concluded.kind == "list" and concluded not in chosen:
                chosen[k] = concluded
    for block in chosen:  # a long list: its items without their details, or its matching items
        outer = [x for x in block.lines if not x.startswith("  ")]
        if block.kind == "list" and len(block.lines) > _MAX_LIST and 1 < len(outer) <= _MAX_LIST:
            block.lines = outer  # five papers with a link line each: the five papers, whole
        elif block.kind in ("list", "table") and len(block.lines) > _MAX_LIST:
            matching = _matching_items(block, expanded)
            if matching:
                block.lines = matching[:_MAX_LIST]
    return chosen  # best first: the answer leads with what answers the question
