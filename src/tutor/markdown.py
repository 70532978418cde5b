"""One walk over a Markdown document's structure: which lines are headings, which are code.

The loader (title), the curriculum parser (stages and skills), the catalog (where a
link stands) and the eval validator (gold sections) all need the same answer to
"is this line a heading?", so they all take it from here.  The chunker reads the
finer block structure (lists, tables, paragraphs) from markdown-it instead.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from tutor.patterns import FENCE, HEADING

__all__ = ["Heading", "Line", "Section", "scan", "sections"]


@dataclass(frozen=True)
class Heading:
    level: int
    text: str
    trail: tuple[str, ...]  # the enclosing headings' texts, outermost first, ending with this one


@dataclass(frozen=True)
class Line:
    number: int  # 0-based
    text: str
    code: bool  # a fence line or a line inside fenced code
    heading: Heading | None  # set when this line is a heading
    section: Heading | None  # the innermost heading above (or on) this line


@dataclass(frozen=True)
class Section:
    heading: Heading
    start: int  # 0-based line of the heading
    end: int  # exclusive: the next heading of the same level or above, or the end


def scan(lines: Sequence[str]) -> Iterator[Line]:
    """Every line with its structure; ATX headings outside fenced code only."""
    stack: list[Heading] = []
    in_fence = False
    for i, text in enumerate(lines):
        fence = bool(FENCE.match(text))
        if fence:
            in_fence = not in_fence
        m = None if fence or in_fence else HEADING.match(text)
        heading = None
        if m:
            level = len(m.group(1))
            stack = [h for h in stack if h.level < level]
            title = m.group(2).strip()
            heading = Heading(level, title, (*(h.text for h in stack), title))
            stack.append(heading)
        yield Line(i, text, fence or in_fence, heading, stack[-1] if stack else None)


def sections(lines: Sequence[str]) -> list[Section]:
    """Each heading with the span of lines it governs (its body and its sub-sections)."""
    heads = [(ln.number, ln.heading) for ln in scan(lines) if ln.heading]
    out = []
    for n, (start, heading) in enumerate(heads):
        end = next((s for s, h in heads[n + 1 :] if h.level <= heading.level), len(lines))
        out.append(Section(heading, start, end))
    return out
