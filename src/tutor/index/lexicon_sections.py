"""The passages of the section teaching the concept a question describes, as one more ranked list.

`tutor.index.lexicon` finds the concept; this module reads its section's passages from the stored heading
paths, the ones that name the concept first (a heading such as 核心内容 recurs under every skill).
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from tutor.index.roadmap_sections import heading_paths
from tutor.index.store import StoredChunk

if TYPE_CHECKING:
    from tutor.index.lexicon import LexiconEntry
    from tutor.index.settings import RetrievalSettings

__all__ = ["concept_list", "teaching_first"]


def _fold(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).casefold().split())


def teaching_first(entry: LexiconEntry, chunks: Sequence[StoredChunk]) -> list[StoredChunk]:
    """The passages of the entry's section that name its term or an alias (a heading such as 核心内容
    recurs under every skill: another skill's is no answer; a sub-heading may be the term), in their
    order; all of them when none does."""
    names = [_fold(n) for n in entry.names]
    said = [c for c in chunks if any(n in _fold("".join([*c.headings, c.text])) for n in names)]
    return said or list(chunks)


def concept_list(
    levers: Any, cfg: RetrievalSettings, question: str, allowed: Callable[[str], bool], limit: int = 2
) -> list[tuple[str, float, list[StoredChunk]]]:
    """The passages of the section teaching the lexicon concept the question describes, as one more RRF
    list (`retrieval.concept_section_weight`); [] when off or no concept clearly wins.  The rows come from
    the stored heading paths: only the section's own passages are read."""
    if cfg.concept_section_weight <= 0 or (hit := levers.concepts().described(question)) is None:
        return []
    bm25 = levers.index.bm25()
    docs = bm25.docs()
    (head,) = heading_paths([{"headings": json.dumps([hit.entry.section])}])[0]
    rows = [
        r
        for r, path in enumerate(levers.heading_paths())
        if head in path and docs[r] == hit.entry.doc and allowed(docs[r])
    ]
    chunks = [
        StoredChunk(id=bm25.ids[r], text=text, metadata=meta, score=0.0)
        for r, (text, meta) in zip(rows, bm25.records.fetch(rows), strict=True)
    ]
    found = teaching_first(hit.entry, chunks)[:limit]
    return [("concept", cfg.concept_section_weight, found)] if found else []
