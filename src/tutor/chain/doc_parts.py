"""A document's own structure for composition: its steps sections, its FAQ entries, its named sections.

Retrieval returns passages; many questions are answered by a *part of a document's structure*
rather than by the passages that happen to rank first:

- "那篇文章说了哪几步？" / "how do I cope with ...": every sub-section of the document's steps section
  (its title and key line), although the retriever ranks the summary that merely names them first;
- "怎么判断技术值不值得学？": the one FAQ entry whose question matches, wherever it stands;
- "这套方法有啥缺点？": the section whose heading the question names (3.3 算法优缺点).

All three are read from the live chunks: their heading paths are the document's Markdown structure
(read at ingest), and the sub-headings and bold labels inside a section come from the block walker
(`tutor.chain.compose.split_blocks`).  Nothing here is specific to one document or question.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import jieba

from tutor.chain.answer import Source
from tutor.chain.compose import STEPS_HEADING, split_blocks
from tutor.chain.sections import source_of
from tutor.chain.text import CJK, strip_markdown, unbound
from tutor.index.store import StoredChunk
from tutor.resources.cards import CARDS_DOC
from tutor.security.injection import is_flagged

__all__ = [
    "FAQ_HEADING",
    "DocParts",
    "FaqEntry",
    "Part",
    "core_heading",
    "named_doc",
    "named_sections",
    "names_a_topic",
    "specific_match",
]

_INNER_HEADING = re.compile(r"^#{1,6}\s+(.+)$", re.MULTILINE)
FAQ_HEADING = re.compile(r"常见问题|问题与解答|FAQ|Q&A|问答", re.IGNORECASE)
# headings of a document's overview parts, and the template words every article's headings share
_NUMBERING = re.compile(
    r"^\s*(?:\d+(?:\.\d+)*\.?|[一二三四五六七八九十]+[、.])\s*|^(?:step|步骤)\s*\d+\s*[:：]\s*", re.I
)
_TEMPLATE = frozenset(
    "算法 原理 详解 概述 具体 详细 讲解 举例 说明 相关 以及 如何 怎么 什么 哪些 文章 那篇 技术 核心 操作 实际".split()
)


@dataclass(frozen=True)
class Part:
    """One step of a steps section: its title, its key line, and the chunk that holds it."""

    title: str
    key: str
    chunk: StoredChunk
    label: str = ""  # the heading or label as written ("Step 1: 基础知识深化"): the outline quotes it whole


@dataclass(frozen=True)
class FaqEntry:
    """One question of a FAQ section with its whole answer (which may run over two chunks)."""

    question: str
    answer: tuple[str, ...]
    passage: Source


def core_heading(heading: str) -> str:
    """A heading or bold label without its numbering ("步骤4：时间管理" -> "时间管理", as `Part.title`)."""
    return _NUMBERING.sub("", strip_markdown(heading)).strip()


def heading_words(heading: str) -> set[str]:
    """The words of a heading that name its topic (numbering and template words removed)."""
    words = {w.lower() for w in jieba.lcut(core_heading(heading)) if len(w.strip()) >= 2}
    return {w for w in words if w not in _TEMPLATE and not w.isdigit() and re.search(r"\w", w)}


class DocParts:
    """The structure of every live document, grouped once per index state."""

    def __init__(self, chunks: Sequence[StoredChunk]) -> None:
        by_doc: dict[str, list[StoredChunk]] = defaultdict(list)
        for chunk in chunks:
            # passages flagged at ingest (planted instructions) are never quoted: not even as part of a
            # section, a FAQ entry or a step rebuilt from the document's structure
            if chunk.doc != CARDS_DOC and not is_flagged(chunk.metadata, chunk.text):
                by_doc[chunk.doc].append(chunk)
        self.docs = {doc: sorted(cs, key=lambda c: c.lines[0]) for doc, cs in by_doc.items()}
        self._steps: dict[str, tuple[tuple[str, ...], list[Part]] | None] = {}
        self._faq: list[FaqEntry] | None = None
        self._idf: dict[str, float] | None = None
        self._shared: set[str] | None = None
        self._topics: list[tuple[str, tuple[str, ...], set[str]]] | None = None
        self.line_numbers: dict[str, list[int]] = {}  # a section passage's id -> its text lines' numbers

    def chunks(self, doc: str) -> list[StoredChunk]:
        return self.docs.get(doc, [])

    def under(self, doc: str, path: Sequence[str]) -> list[StoredChunk]:
        """The chunks of `doc` whose heading path starts with `path`, in reading order."""
        n = len(path)
        return [c for c in self.chunks(doc) if tuple(c.headings[:n]) == tuple(path)]

    def heading_idf(self) -> dict[str, float]:
        """How rare each heading word is among all the material's distinct headings (log-scaled).

        A word many headings share ("问题" of 问题由来 / 问题核心关键点 / 常见问题与解答) says little about
        which section a question means; a rare one ("咨询", "公式") says a lot.  Read from the headings
        themselves, so no stop-word list has to guess which words are generic."""
        if self._idf is None:
            headings = {(doc, h) for doc, cs in self.docs.items() for c in cs for h in c.headings}
            df = Counter(w for _, h in headings for w in heading_words(h))
            total = max(len(headings), 1)
            self._idf = {w: math.log(1 + total / k) for w, k in df.items()}
        return self._idf

    def shared_headings(self) -> set[str]:
        """Headings that three or more documents use word for word (every document, with fewer): the
        template the articles share ("1.1 问题由来", "8.1 总结"), whose sections speak about the document
        as a whole rather than about one topic of it."""
        if self._shared is None:
            counts = Counter(h for cs in self.docs.values() for h in {h for c in cs for h in c.headings})
            need = min(3, len(self.docs))
            self._shared = {h for h, k in counts.items() if k >= need}
        return self._shared

    def topic_headings(self) -> list[tuple[str, tuple[str, ...], set[str]]]:
        """(doc, heading path, topic words) of every heading with two or more topic words (a section's own
        heading path first, then headings standing inside chunks)."""
        if self._topics is None:
            self._topics = []
            for doc, chunks in self.docs.items():
                paths = list(
                    dict.fromkeys(tuple(c.headings[: i + 1]) for c in chunks for i in range(len(c.headings)))
                )
                # a short section shares its parent's chunk: its heading stands in the chunk's text
                paths += [
                    (*c.headings, m.group(1).strip())
                    for c in chunks
                    for m in _INNER_HEADING.finditer(c.text)
                    if m.group(1).strip() not in c.headings
                ]
                for path in dict.fromkeys(paths):
                    words = {w for w in heading_words(path[-1]) if not re.fullmatch(r"[\d.\-]+", w)}
                    if len(words) >= 2 and len(self.under(doc, path)) < len(chunks):
                        self._topics.append((doc, path, words))
        return self._topics

    # --- steps ------------------------------------------------------------------
    def steps(self, doc: str) -> tuple[tuple[str, ...], list[Part]] | None:
        """The document's deepest steps section with 3+ parts: its heading path and its parts."""
        if doc not in self._steps:
            self._steps[doc] = self._find_steps(doc)
        return self._steps[doc]

    def _find_steps(self, doc: str) -> tuple[tuple[str, ...], list[Part]] | None:
        paths = list(
            dict.fromkeys(
                tuple(c.headings[: i + 1]) for c in self.chunks(doc) for i in range(len(c.headings))
            )
        )
        steps = [p for p in paths if STEPS_HEADING.search(p[-1]) and not FAQ_HEADING.search(p[-1])]
        for path in steps:
            # the deepest: "3. 核心算法原理 & 具体操作步骤" yields to its "3.2 算法步骤详解" (whose own
            # sub-sections "步骤1：…" are its steps, not more specific steps sections)
            inner = [q for q in steps if q != path and q[: len(path)] == path]
            if inner and sum(len(q) == len(path) + 1 for q in inner) < 3:
                continue
            parts = self._parts(doc, path)
            if len(parts) >= 3:
                return path, parts
        return None

    def _parts(self, doc: str, path: tuple[str, ...]) -> list[Part]:
        n = len(path)
        children: dict[str, StoredChunk] = {}
        for chunk in self.under(doc, path):
            if len(chunk.headings) > n:
                children.setdefault(chunk.headings[n], chunk)
        if len(children) >= 3:  # sub-sections
            return [Part(core_heading(t), _key_line(c), c, strip_markdown(t)) for t, c in children.items()]
        labelled: dict[str, tuple[str, StoredChunk]] = {}
        for chunk in self.under(doc, path):
            if tuple(chunk.headings) != path:
                continue
            for block in split_blocks(source_of(0, chunk)):
                if block.label and block.kind in ("list", "para", "table") and block.label not in labelled:
                    labelled[block.label] = (block.intro or block.lines[0], chunk)
        return [
            Part(core_heading(t), strip_markdown(k), c, strip_markdown(t)) for t, (k, c) in labelled.items()
        ]

    # --- sections as passages ----------------------------------------------------
    def section(self, doc: str, path: Sequence[str]) -> Source | None:
        """The whole section under `path` as one passage (its sub-headings included), numbered 0.

        Chunk texts are exact slices of the document's lines, so their union by line number is the
        section's text without the overlap between neighbouring chunks."""
        chunks = self.under(doc, path)
        if not chunks:
            return None
        lines: dict[float, str] = {}
        heads: dict[float, str] = {}
        previous: tuple[str, ...] = tuple(path)
        for chunk in chunks:
            first, _ = chunk.lines
            if tuple(chunk.headings) != previous and len(chunk.headings) > len(path):
                heads.setdefault(first - 0.5, "#" * min(len(chunk.headings), 6) + " " + chunk.headings[-1])
            previous = tuple(chunk.headings)
            for k, text in enumerate(chunk.text.split("\n")):
                lines.setdefault(first + k, text)
        merged: dict[float, str] = {**lines, **heads}
        order = sorted(merged)
        text = "\n".join(merged[k] for k in order)
        start, end = int(min(lines)), int(max(lines))
        top = chunks[0]
        self.line_numbers[f"{top.id}@L{start}-{end}"] = [int(k + 0.5) for k in order]
        return Source(
            n=0,
            id=f"{top.id}@L{start}-{end}",
            doc=doc,
            title=top.title,
            headings=list(path),
            lines=[start, end],
            text=text,
        )

    # --- FAQ ----------------------------------------------------------------------
    def faq(self) -> list[FaqEntry]:
        """Every question-and-answer pair under a FAQ heading, across the live documents."""
        if self._faq is None:
            out: list[FaqEntry] = []
            for doc, chunks in self.docs.items():
                paths = {
                    tuple(c.headings) for c in chunks if c.headings and FAQ_HEADING.search(c.headings[-1])
                }
                for path in sorted(paths):
                    whole = self.section(doc, path)
                    if whole is not None:
                        out.extend(_faq_entries(whole, self.line_numbers[whole.id]))
            self._faq = out
        return self._faq


_FAQ_QUESTION = re.compile(r"^(?:\*\*)?\s*(?:Q\d*|问\d*|问题\s*\d*)\s*[:：.、]", re.IGNORECASE)


def _faq_entries(whole: Source, numbers: list[int]) -> list[FaqEntry]:
    """Each Q/A of a FAQ section as its own passage, with the document lines it spans."""
    out: list[FaqEntry] = []
    body = whole.text.split("\n")
    for block in split_blocks(whole):
        if block.kind != "qa" or not block.lines:
            continue
        start = next((k for k, line in enumerate(body) if block.label in strip_markdown(line)), 0)
        end = start
        for k in range(start + 1, len(body)):
            if _FAQ_QUESTION.match(body[k].strip()) or body[k].startswith("#"):
                break
            if body[k].strip():
                end = k
        passage = whole.model_copy(
            update={
                "id": f"{whole.id}#q{len(out) + 1}",
                "text": "\n".join(body[start : end + 1]).strip(),
                "lines": [numbers[start], numbers[end]],
            }
        )
        out.append(FaqEntry(block.label, tuple(block.lines), passage))
    return out


def _key_line(chunk: StoredChunk) -> str:
    """The first thing a section says: its first item or sentence (an introduction with what follows)."""
    for block in split_blocks(source_of(0, chunk)):
        first = block.lines[0] if block.lines else ""
        lead = f"{block.label}：" if block.label and block.kind != "qa" else ""  # "学习比例：理论学习：30%"
        return strip_markdown(lead + (f"{block.intro} {first}".strip() if block.intro else first))
    return ""


def _matches(word: str, question: str, question_words: set[str]) -> bool:
    return word in question or any(q in word or _contracted(q, word) for q in question_words if len(q) >= 2)


def _contracted(part: str, word: str) -> bool:
    """A Chinese pair word contracts two words into one: 优点 and 缺点 in 优缺点 (one more character, in order)."""
    if len(word) != len(part) + 1 or not all(CJK.match(ch) for ch in word):
        return False
    chars = iter(word)
    return all(ch in chars for ch in part)


def _question_words(question: str) -> set[str]:
    return {w.lower() for w in jieba.lcut(unbound(question)) if len(w.strip()) >= 2} - _TEMPLATE


def specific_match(question: str, headings: Sequence[str], parts: DocParts) -> float:
    """How specifically the question names these headings: the rarity (heading IDF) of every heading
    word it says.  "公式" naming 4.2 公式推导过程 weighs far more than "方法" or "问题" naming anything."""
    text = unbound(question.lower())
    qwords = _question_words(question)
    idf = parts.heading_idf()
    words = {w for h in headings for w in heading_words(h)}
    return sum(idf.get(w, 1.0) for w in words if _matches(w, text, qwords))


def names_a_topic(question: str, parts: DocParts) -> tuple[str, tuple[str, ...]] | None:
    """The material's section whose heading's topic words (two or more) the question says all of ("free
    platforms to practice on" -> 实践平台, "业余" + "学习" -> 业余学习（1.5-2 年）): a question about that part
    of the material (which of several sections with that heading does not matter here); None when none is."""
    text = unbound(question.lower())
    qwords = _question_words(question)
    for doc, path, words in parts.topic_headings():
        if all(_matches(w, text, qwords) for w in words):
            return doc, path
    return None


def named_sections(
    question: str, parts: DocParts, doc: str, limit: int = 2, ranked: Sequence[Sequence[str]] = ()
) -> list[tuple[str, ...]]:
    """Heading paths of `doc` whose topic words the question names ("缺点" -> "3.3 算法优缺点"), best first.

    A heading is named when at least half of its topic words stand in the question (a question word
    inside a heading word counts: 缺点 in 优缺点); the document's own title path is no section; ties go
    to the more specific heading, then to the one whose passage the retriever ranked higher (`ranked`:
    the heading paths of the retrieved passages, best first)."""
    text = unbound(question.lower())
    qwords = _question_words(question)
    scored: dict[tuple[str, ...], float] = {}
    for chunk in parts.chunks(doc):
        for i in range(len(chunk.headings)):
            path = tuple(chunk.headings[: i + 1])
            if path in scored:
                continue
            scored[path] = 0.0
            if len(parts.under(doc, path)) < len(parts.chunks(doc)):  # the whole document is no section
                words = heading_words(path[-1])
                said = sum(_matches(w, text, qwords) for w in words)
                scored[path] = said / len(words) if words else 0.0
    # a heading that recurs in the document ("学习资源" under every skill) does not identify a section
    repeats = Counter(p[-1] for p in scored)
    named = [p for p, s in scored.items() if s >= 0.5 and repeats[p[-1]] == 1]
    # the most specific: a section whose sub-section is also named yields to it
    named = [p for p in named if not any(q[: len(p)] == p and q != p for q in named)]
    # equally named: the one the retriever ranked higher
    rank = {tuple(p): k for k, p in reversed(list(enumerate(ranked)))}

    def order(p: tuple[str, ...]) -> tuple[float, int]:
        return -scored[p], min((k for q, k in rank.items() if q[: len(p)] == p), default=len(rank))

    return sorted(named, key=order)[:limit]


# "中年危机那篇", "the comeback essay", "路线里": a word saying a document is meant (shared title words name none)
_DOC_WORDS = r"文章|那篇|这篇|一文|文中|路线图?(?:里|中|上)|\barticle|\bessay|\bpost\b|\bpiece\b|\broadmap\b"
_NAMES_A_DOC = re.compile(_DOC_WORDS, re.I)
_GENERIC_NAME = frozenset("and to the of ai tech change learning knowledge".split())


def _title_words(doc: str, chunks: Sequence[StoredChunk]) -> set[str]:
    title = chunks[0].title if chunks else ""
    words = {w.lower() for w in jieba.lcut(title) if len(w.strip()) >= 2 and re.search(r"\w", w)}
    words |= {w for w in doc.lower().split("-") if len(w) >= 4}
    return {w for w in words - _TEMPLATE if w not in _GENERIC_NAME}


def named_doc(question: str, parts: DocParts) -> str | None:
    """The one document the question names by words of its own title or file name: one word where the
    question says it means a document ("文章", "article", "essay"), else two ("thought leader" ->
    意见, 领袖, leader); None when none or several are named."""
    need = 1 if _NAMES_A_DOC.search(question) else 2
    text = question.lower()
    words = {doc: _title_words(doc, cs) for doc, cs in parts.docs.items()}
    # a title word that most documents also use in their text ("持续", "学习") names none of them
    texts = {doc: "".join(c.text for c in cs) for doc, cs in parts.docs.items()}
    used = Counter(
        w for ws in words.values() for w in ws for t in texts.values() if not w.isascii() and w in t
    )
    shared = Counter(w for ws in words.values() for w in ws)
    shared.update({w: 1 for w, k in used.items() if k > 2})

    def said(w: str) -> bool:
        return bool(re.search(rf"(?<![a-z]){re.escape(w)}", text)) if w.isascii() else w in text

    hits = {doc: sum(shared[w] == 1 and said(w) for w in ws) for doc, ws in words.items()}
    best = sorted((h, doc) for doc, h in hits.items() if h >= need)
    if not best or (len(best) > 1 and best[-1][0] == best[-2][0]):
        return None
    return best[-1][1]
