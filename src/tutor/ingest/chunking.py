"""Markdown-structure-aware chunking for Chinese and English learning material.

Rules (each has a unit test with a real corpus snippet):
- a chunk never crosses a heading and carries the exact heading path above it;
- table rows, list items and fenced code blocks are atomic; a table split over
  several chunks repeats its header so every piece still says what its columns mean;
- a section that fits in ``chunk_size`` stays one chunk;
- a block longer than ``chunk_size`` is split at sentence ends (。！？；.!?) with
  ``chunk_overlap`` characters of overlap;
- every chunk has the 1-based line range it came from in the original file.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from tutor.ingest.links import Link, extract_links
from tutor.ingest.loaders import Document
from tutor.patterns import STAGE_REF

__all__ = ["Chunk", "chunk_document", "sentence_pieces"]

_SENTENCE_END = re.compile(r"(?<=[。！？；!?;])|(?<=\.)(?=\s)|(?<=\n)")


@dataclass
class Chunk:
    """A retrievable passage and everything a citation needs."""

    doc_id: str
    index: int
    text: str
    title: str
    headings: list[str]
    line_start: int
    line_end: int
    rev: str
    links: list[Link] = field(default_factory=list)
    source: str = ""
    source_url: str | None = None
    extra: dict[str, str | int] = field(default_factory=dict)  # front-matter facts of fetched pages

    @property
    def id(self) -> str:
        return f"{self.doc_id}:{self.rev[:12]}:{self.index:04d}"

    @property
    def heading_path(self) -> str:
        return " > ".join(self.headings)

    @property
    def stage(self) -> int | None:
        for heading in self.headings:
            m = STAGE_REF.search(heading)
            if m:
                return int(m.group(1))
        stage = self.extra.get("stage")
        return int(stage) if isinstance(stage, int) else None

    @property
    def text_hash(self) -> str:
        return hashlib.sha1(self.text.encode("utf-8")).hexdigest()

    def context_text(self) -> str:
        """What gets embedded and keyword-indexed: title and headings give the passage its topic."""
        path = " > ".join([self.title, *[h for h in self.headings if h != self.title]])
        return f"{path}\n{self.text}"


@dataclass
class _Unit:
    """An atomic block: lines [start, end) of the document body."""

    start: int
    end: int
    kind: str  # paragraph, item, row, fence, table_head, other
    table_id: int = -1


@dataclass
class _Section:
    headings: list[str]
    units: list[_Unit] = field(default_factory=list)


def sentence_pieces(text: str) -> list[str]:
    """Split at Chinese/English sentence ends and newlines, keeping the punctuation and the spaces,
    so the pieces join back into the text (the packer measures and overlaps them)."""
    parts = [p for p in _SENTENCE_END.split(text) if p]
    return parts


def _markdown_sections(body: str) -> list[_Section]:
    from markdown_it import MarkdownIt

    tokens = MarkdownIt("commonmark").enable("table").parse(body)
    sections = [_Section(headings=[])]
    stack: list[tuple[int, str]] = []
    table_no = 0
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.level != 0 or tok.nesting == -1 or tok.map is None:
            i += 1
            continue
        start, end = tok.map
        if tok.type == "heading_open":
            level = int(tok.tag[1])
            text = tokens[i + 1].content.strip()
            stack = [(lv, h) for lv, h in stack if lv < level] + [(level, text)]
            sections.append(_Section(headings=[h for _, h in stack]))
        elif tok.type in ("bullet_list_open", "ordered_list_open"):
            depth = 0
            for sub in tokens[i + 1 :]:
                if sub.type == "list_item_open" and sub.level == 1 and sub.map:
                    sections[-1].units.append(_Unit(sub.map[0], sub.map[1], "item"))
                if sub.type == tok.type:
                    depth += 1
                if sub.type == tok.type.replace("_open", "_close"):
                    if depth == 0:
                        break
                    depth -= 1
            _close_item_gaps(sections[-1].units, end)
        elif tok.type == "table_open":
            table_no += 1
            head_end = start + 2  # header row + delimiter row
            sections[-1].units.append(_Unit(start, head_end, "table_head", table_no))
            for sub in tokens[i + 1 :]:
                if sub.type == "table_close":
                    break
                if sub.type == "tr_open" and sub.map and sub.map[0] >= head_end:
                    sections[-1].units.append(_Unit(sub.map[0], sub.map[1], "row", table_no))
        elif tok.type == "hr":
            pass
        else:
            kind = (
                "fence"
                if tok.type in ("fence", "code_block")
                else ("paragraph" if tok.type in ("paragraph_open", "blockquote_open") else "other")
            )
            sections[-1].units.append(_Unit(start, end, kind))
        i += 1
    return [s for s in sections if s.units]


def _close_item_gaps(units: list[_Unit], list_end: int) -> None:
    """Extend each list item to the next item's start, so nested content stays with its item."""
    items = [u for u in units if u.kind == "item"]
    for prev, nxt in zip(items, items[1:], strict=False):
        if prev.end < nxt.start:
            prev.end = nxt.start
    if items and items[-1].end < list_end:
        items[-1].end = list_end


def _text_sections(body: str) -> list[_Section]:
    lines = body.split("\n")
    units: list[_Unit] = []
    start = None
    for n, line in enumerate(lines + [""]):
        if line.strip() and start is None:
            start = n
        elif not line.strip() and start is not None:
            units.append(_Unit(start, n, "paragraph"))
            start = None
    return [_Section(headings=[], units=units)] if units else []


class _Packer:
    """Packs a section's units into chunks of at most `size` characters."""

    def __init__(self, lines: list[str], size: int, overlap: int) -> None:
        self.lines, self.size, self.overlap = lines, size, overlap

    def text(self, start: int, end: int) -> str:
        return "\n".join(self.lines[start:end]).strip("\n")

    def pack(self, section: _Section) -> list[tuple[str, int, int]]:
        """Return (text, first_line, last_line) pieces; lines 0-based inclusive."""
        out: list[tuple[str, int, int]] = []
        cur: list[_Unit] = []
        heads: dict[int, _Unit] = {u.table_id: u for u in section.units if u.kind == "table_head"}

        def length(units: list[_Unit]) -> int:
            return sum(len(self.text(u.start, u.end)) + 1 for u in units)

        def flush() -> None:
            if not cur:
                return
            prefix = ""
            first = cur[0]
            if first.kind == "row" and first.table_id in heads:
                head = heads[first.table_id]
                prefix = self.text(head.start, head.end) + "\n"
            body = self.text(first.start, cur[-1].end)
            out.append((prefix + body, first.start, _last_line(self.lines, cur[-1])))
            cur.clear()

        for unit in section.units:
            unit_len = len(self.text(unit.start, unit.end))
            if unit_len > self.size and unit.kind in ("paragraph", "item", "other"):
                flush()
                out.extend(self._split_long(unit))
                continue
            if cur and length(cur) + unit_len > self.size:
                flush()
            cur.append(unit)
        flush()
        return [piece for piece in out if piece[0].strip()]

    def _split_long(self, unit: _Unit) -> list[tuple[str, int, int]]:
        text = "\n".join(self.lines[unit.start : unit.end])
        sentences = sentence_pieces(text)
        pieces: list[tuple[str, int, int]] = []
        offsets = []
        pos = 0
        for s in sentences:
            offsets.append(pos)
            pos += len(s)
        i = 0
        while i < len(sentences):
            j, size = i, 0
            while j < len(sentences) and (j == i or size + len(sentences[j]) <= self.size):
                size += len(sentences[j])
                j += 1
            chunk = "".join(sentences[i:j])
            first = unit.start + text.count("\n", 0, offsets[i])
            last = unit.start + text.count("\n", 0, offsets[j - 1] + len(sentences[j - 1].rstrip("\n")))
            if chunk.strip():
                pieces.append((chunk.strip(), first, last))
            if j >= len(sentences):
                break
            # step back over up to `overlap` characters of whole sentences
            back, k = 0, j
            while k - 1 > i and back + len(sentences[k - 1]) <= self.overlap:
                back += len(sentences[k - 1])
                k -= 1
            i = k
        return pieces


def _last_line(lines: list[str], unit: _Unit) -> int:
    end = unit.end - 1
    while end > unit.start and not lines[end].strip():
        end -= 1
    return end


_EXTRA_KEYS = ("stage", "skill", "resource", "fetched_at")


def _extra(meta: dict) -> dict[str, str | int]:
    """The front-matter facts fetched pages carry into every chunk's metadata."""
    out: dict[str, str | int] = {}
    for key in _EXTRA_KEYS:
        value = meta.get(key)
        if isinstance(value, bool) or value is None:
            continue
        out[key] = value if isinstance(value, int) else str(value)
    return out


def chunk_document(doc: Document, chunk_size: int = 600, chunk_overlap: int = 80) -> list[Chunk]:
    """Split a loaded document into citation-ready chunks."""
    lines = doc.text.split("\n")
    sections = (
        _markdown_sections(doc.text) if doc.kind in ("markdown", "html", "pdf") else _text_sections(doc.text)
    )
    packer = _Packer(lines, chunk_size, chunk_overlap)
    chunks: list[Chunk] = []
    for section in sections:
        headings = section.headings or [doc.title]
        for text, first, last in packer.pack(section):
            chunks.append(
                Chunk(
                    doc_id=doc.doc_id,
                    index=len(chunks),
                    text=text,
                    title=doc.title,
                    headings=list(headings),
                    line_start=first + 1 + doc.line_offset,
                    line_end=last + 1 + doc.line_offset,
                    rev=doc.content_hash,
                    links=extract_links(text),
                    source=str(doc.path),
                    source_url=doc.source_url,
                    extra=_extra(doc.metadata),
                )
            )
    return chunks
