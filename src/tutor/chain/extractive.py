"""The model-free answer: the sentences of the best passages that answer the question, cited.

Sentences are ranked with the embedder against the question, the best few kept
(near-duplicates dropped), and written in reading order under their section so
the answer reads as a short briefing rather than a dump of chunks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from tutor.chain.answer import Source
from tutor.chain.text import split_sentences, strip_markdown, trigram_jaccard
from tutor.resources.cards import CARDS_DOC

if TYPE_CHECKING:
    from tutor.index.embeddings import TutorEmbeddings

__all__ = ["Extract", "select_sentences", "render_extractive"]

_HEADING = re.compile(r"^#{1,6}\s")
_TABLE_ROW = re.compile(r"^\|.*\|$")
_BOLD_LINE = re.compile(r"^\*\*([^*]{1,40})\*\*[:：]?$")
_MAX_UNITS = 60


@dataclass
class Extract:
    source: int  # Source.n
    position: int
    text: str
    score: float


def _readable(unit: str) -> str | None:
    """A table row becomes 'a · b · c'; headings and separators are skipped."""
    if _HEADING.match(unit):
        return None
    if _TABLE_ROW.match(unit):
        cells = [c.strip() for c in unit.strip("|").split("|")]
        cells = [c for c in cells if c and not set(c) <= set("-: ")]
        if len(cells) < 2 or (
            not any(re.search(r"https?://|\d", c) for c in cells) and max(map(len, cells)) <= 4
        ):
            return None  # too short, or a header row (资源 | 类型 | 语言 ...)
        urls = [c for c in cells if re.fullmatch(r"https?://\S+", c)]
        if urls and cells[0] not in urls:  # name · facts, with the name linked
            rest = [c for c in cells[1:] if c not in urls]
            return " · ".join([f"[{cells[0]}]({urls[0]})", *rest])
        return " · ".join(cells)
    unit = re.sub(r"^[-*+]\s+|^\d+[.)]\s+|^>\s*", "", unit).strip()
    return unit if len(strip_markdown(unit)) >= 6 else None


def select_sentences(
    question: str, sources: list[Source], embedder: TutorEmbeddings | None, limit: int
) -> list[Extract]:
    units: list[Extract] = []
    for source in sources:
        if (
            source.doc == CARDS_DOC and source.headings
        ):  # a resource card reads best as one line: name, facts, link
            link = re.search(r"https?://\S+", source.text)
            name, _, facts = source.headings[-1].partition(" · ")
            shown = f"[{name}]({link.group(0)})" if link else name
            units.append(Extract(source.n, 0, f"{shown}{' · ' + facts if facts else ''}", 0.0))
            continue
        label = ""
        for position, raw in enumerate(split_sentences(source.text)):
            bold = _BOLD_LINE.match(raw)
            if bold or _HEADING.match(raw):  # a sub-heading: remembered as the context of what follows
                label = bold.group(1) if bold else _HEADING.sub("", raw).strip()
                continue
            text = _readable(raw)
            if text and len(units) < _MAX_UNITS:
                is_item = bool(re.match(r"^[-*+]\s|^\d+[.)]\s", raw))
                shown = f"{label}：{text}" if label and is_item and label not in text else text
                units.append(Extract(source.n, position, shown, 0.0))
    if not units:
        return []
    if embedder is not None:
        vectors = np.asarray(embedder.embed_stored([strip_markdown(u.text) for u in units]), dtype=np.float32)
        query = np.asarray(embedder.embed_query(question), dtype=np.float32)
        sims = vectors @ query
    else:  # no embedder: keep the passages' own order
        sims = np.linspace(1.0, 0.5, len(units))
    rank = {s.n: i for i, s in enumerate(sources)}
    for unit, sim in zip(units, sims, strict=True):
        unit.score = float(sim) - 0.01 * rank[unit.source]  # a slight prior for better-ranked passages
    best = max(u.score for u in units)
    chosen: list[Extract] = []
    for unit in sorted(units, key=lambda u: -u.score):
        if len(chosen) >= limit or unit.score < best - 0.06:
            break
        if any(trigram_jaccard(unit.text, c.text) > 0.6 for c in chosen):
            continue
        chosen.append(unit)
    return sorted(chosen, key=lambda u: (rank[u.source], u.position))


def render_extractive(extracts: list[Extract], sources: list[Source], language: str) -> str:
    by_n = {s.n: s for s in sources}
    intro = (
        "根据资料中最相关的内容："
        if language == "zh"
        else ("Here is what the material says (quoted in its original language):")
    )
    lines = [intro]
    current: str | None = None
    for e in extracts:
        source = by_n[e.source]
        if source.doc == CARDS_DOC:
            section = source.headings[0] if source.headings else source.title
        else:
            section = " › ".join(h for h in source.headings[-2:] if h) or source.title
        if section != current:  # one header per section, however many passages it spans
            current = section
            lines += ["", f"**{section}**"]
        lines.append(f"- {e.text} [{e.source}]")
    return "\n".join(lines)
