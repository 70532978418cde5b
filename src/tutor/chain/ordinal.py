"""Ordinal follow-ups ("第四个具体怎么做？", "the second one?", "tell me more about the last one").

After an answer that listed things (an article's steps, its FAQ questions, its core concepts, a list of
items), an ordinal points at one of them. The list is the one the earlier answer gave, read from the
blocks it quoted (`list_items`), so no wording of a known question is involved:

- an outline of a steps section -> the steps, each answered with its whole sub-section (or the blocks
  its bold label heads, when the steps are labels inside one section);
- FAQ entries -> every entry of that document's FAQ, in reading order;
- a passage's outline or several labelled blocks (sub-headings, bold labels) -> the labelled groups;
- otherwise the first list -> its items.

The chosen item is answered whole (`TutorChain` quotes it under a line saying which item it is); a
question that names a skill, stage or document of its own is not an ordinal follow-up.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from tutor.chain.answer import Source
from tutor.chain.compose_blocks import Block, split_blocks
from tutor.chain.doc_parts import DocParts, Part, core_heading
from tutor.chain.refs import parse_number
from tutor.chain.sections import add_source
from tutor.chain.understanding import Understanding

__all__ = [
    "Item",
    "earlier_turn",
    "item_lead",
    "list_items",
    "ordinal",
    "pick",
    "remedy",
    "resolved_in_roadmap",
]

_ZH_NUM = r"[一二两三四五六七八九十\d]+"
# "第四个", "第三步", "第二点", "第5条"; not a stage or a month ("第二阶段", "第三个月": the roadmap's)
_ORDINAL_ZH = re.compile(rf"第\s*({_ZH_NUM})\s*(?:个|步|点|条|项|种|招|部分|问)(?!\s*(?:阶段|月|技能))")
_LAST_ZH = re.compile(r"最后(?:[那这]?一|[那这])\s*(?:个|步|点|条|项|种|招|部分|问)")
_EN_ORD = r"first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|1st|2nd|3rd|[4-9]th|10th"
_EXTRA_EN = {"seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10, "7th": 7, "8th": 8, "9th": 9, "10th": 10}
# "the second one", "the fourth step", "the last point", "number 3"; an ordinal word alone ("first, ...") is none
_ORDINAL_EN = re.compile(
    rf"\bthe\s+(?:very\s+)?({_EN_ORD}|last|final)\s+(?:one|[a-z]+)\b|\b({_EN_ORD}|last|final)\s+one\b"
    r"|\b(?:number|no\.|item|step|point)\s*#?\s*(\d{1,2})\b",
    re.IGNORECASE,
)


def ordinal(question: str) -> int | None:
    """The 1-based position the question points at; -1 for the last; None when it names none."""
    if _LAST_ZH.search(question):
        return -1
    m = _ORDINAL_ZH.search(question)
    if m:
        return parse_number(m.group(1))
    m = _ORDINAL_EN.search(question)
    if not m:
        return None
    token = next(g for g in m.groups() if g).lower()
    if token in ("last", "final"):
        return -1
    return _EXTRA_EN.get(token) or parse_number(token)


def resolved_in_roadmap(context: Understanding | None) -> bool:
    """The follow-up's ordinal was already resolved against the roadmap ("第二个技能" of the stage asked about)."""
    found = str(context.inherited.get("as", "")) if context is not None else ""
    return found.startswith(("skill ", "stage ", "milestone "))


def earlier_turn(question: str, users: Sequence[str], names_own: Callable[[str], bool]) -> int | None:
    """Which earlier user turn asked for the list: the latest that is no ordinal follow-up itself ("the second
    one?" then "and the third?" both point into the first answer); None when the question names a document,
    skill or stage of its own ("the first step of stage 2") or no turn qualifies."""
    if not users or names_own(question):
        return None
    return next((i for i in range(len(users) - 1, -1, -1) if ordinal(users[i]) is None), None)


@dataclass
class Item:
    """One item of the earlier answer's list: what it is called and the blocks that answer it whole."""

    label: str
    blocks: list[Block]


def _quotable(blocks: list[Block]) -> list[Block]:
    return [b for b in blocks if b.kind not in ("outline", "code", "math")]


def _step_blocks(part: Part, path: tuple[str, ...], parts: DocParts, sources: list[Source]) -> list[Block]:
    """A step's whole sub-section, or the blocks its bold label heads inside the steps section."""
    doc, heads = part.chunk.doc, tuple(part.chunk.headings)
    own = heads[: len(path) + 1] if len(heads) > len(path) and heads[: len(path)] == path else None
    whole = parts.section(doc, own or path)
    if whole is None:
        return []
    blocks = _quotable(split_blocks(add_source(whole, sources)))
    if own is None:
        blocks = [b for b in blocks if b.label and core_heading(b.label) == part.title]
    return blocks


def _steps(blocks: list[Block], parts: DocParts, sources: list[Source]) -> list[Item]:
    by_n = {s.n: s for s in sources}
    found = parts.steps(by_n[blocks[0].source].doc)
    if found is None:
        return []
    path, steps = found
    titles = [core_heading(b.label) for b in blocks if b.kind == "step"]  # quoted as numbered: "步骤1：…"
    return [Item(p.title, _step_blocks(p, path, parts, sources)) for p in steps if p.title in titles]


def _faq(block: Block, parts: DocParts, sources: list[Source]) -> list[Item]:
    doc = next(s.doc for s in sources if s.n == block.source)
    items = []
    for entry in parts.faq():
        if entry.passage.doc == doc:
            qa = [b for b in split_blocks(add_source(entry.passage, sources)) if b.kind == "qa"][:1]
            items.append(Item(entry.question, qa))
    return items


def _labelled(blocks: list[Block], sources: list[Source]) -> list[Item]:
    """The passage's labelled groups (sub-headings, bold labels) in reading order, each group whole."""
    outline = next((b for b in blocks if b.kind == "outline"), None)
    source = outline.source if outline else blocks[0].source
    passage = next(s for s in sources if s.n == source)
    own = _quotable(split_blocks(passage))
    labels = outline.lines if outline else list(dict.fromkeys(b.label for b in blocks if b.label))
    return [Item(label, [b for b in own if b.label == label]) for label in labels]


def _list(blocks: list[Block]) -> list[Item]:
    block = next((b for b in blocks if b.kind == "list" and len(b.lines) >= 2), None)
    if block is None:
        return []
    items: list[Item] = []
    for line in block.lines:
        if line.startswith("  ") and items:  # a sub-item belongs to the item above it
            items[-1].blocks[0].lines.append(line)
            continue
        one = Block(block.source, block.position, "list", block.label, "", [line])
        items.append(Item(re.sub(r"\*\*|[:：].*$", "", line).strip(), [one]))
    return items


def list_items(blocks: list[Block], parts: DocParts | None, sources: list[Source]) -> list[Item]:
    """The items of the list the earlier answer quoted (see the module docstring), in its order."""
    if not blocks or parts is None:
        return []
    if blocks[0].kind == "step":
        return _steps(blocks, parts, sources)
    # the FAQ's questions when the answer quotes an entry before any list (a FAQ quoted after a list is an aside)
    first = next((b for b in blocks if b.kind == "qa" or (b.kind == "list" and len(b.lines) >= 2)), None)
    if first is not None and first.kind == "qa":
        return _faq(first, parts, sources)
    labels = {b.label for b in blocks if b.label and b.kind in ("list", "para", "table")}
    if any(b.kind == "outline" for b in blocks) or len(labels) >= 3:
        return _labelled(blocks, sources)
    return _list(blocks)


def pick(
    items: list[Item],
    position: int,
    question: str = "",
    parts: DocParts | None = None,
    sources: list[Source] | None = None,
) -> tuple[int, Item] | None:
    """The 1-based position and the item the ordinal points at, when the list has it and it has blocks; the
    step that answers it when the question asks for its remedy (`remedy`)."""
    if not items or position == 0 or position > len(items):
        return None
    k = len(items) if position < 0 else position
    item = items[k - 1]
    if item.blocks and parts is not None and sources is not None:
        item = remedy(question, item, parts, sources) or item
    return (k, item) if item.blocks else None


# "针对第一个原因，文章给的对策是什么", "how do I deal with the second one": what the essay says to do about the item
_ASKS_REMEDY = re.compile(
    r"对策|应对|解决|怎么办|办法|怎么处理|如何处理|怎么破|\bremed(?:y|ies)\b|\bsolutions?\b|\bfix\b"
    r"|\bdeal with\b|\bcope with\b|\baddress\b|\bhandle\b|\bwhat (?:to|should I|can I) do about\b",
    re.IGNORECASE,
)


def _bigrams(text: str) -> set[str]:
    return {
        text[i : i + 2]
        for i in range(len(text) - 1)
        if all("\u4e00" <= ch <= "\u9fff" for ch in text[i : i + 2])
    }


def remedy(question: str, item: Item, parts: DocParts, sources: list[Source]) -> Item | None:
    """The step of the item's essay whose text shares most with the item (a cause, a problem of the earlier list:
    技术过时 -> 步骤1：技术栈升级), when the question asks what to do about it and the item is no step itself; None
    otherwise, or when two steps share as much."""
    source = next((s for s in sources if s.n == item.blocks[0].source), None)
    found = parts.steps(source.doc) if source is not None and _ASKS_REMEDY.search(question) else None
    if source is None or found is None or tuple(source.headings[: len(found[0])]) == found[0]:
        return None
    path, steps = found
    said = _bigrams(" ".join(line for b in item.blocks for line in b.lines))
    answers = [(p, _step_blocks(p, path, parts, sources)) for p in steps]
    shared = [len(said & _bigrams(" ".join(ln for b in blocks for ln in b.lines))) for _, blocks in answers]
    best = max(shared, default=0)
    if best == 0 or shared.count(best) > 1:
        return None
    step, blocks = answers[shared.index(best)]
    return Item(f"{item.label} → {step.label or step.title}", blocks) if blocks else None


def item_lead(k: int, label: str, language: str) -> str:
    """The line saying which item of the earlier list the answer is about."""
    if language == "zh":
        return f"上一个回答列出的第 {k} 项（{label}），资料原文："
    return f"Item {k} of the list in the previous answer ({label}), quoted from the original Chinese:"
