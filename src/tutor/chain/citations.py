"""Citation hygiene after generation: every [n] must point at a passage that supports its sentence.

A marker whose number has no passage is removed.  A sentence's marker is kept when
the passage shares enough of its words/characters (overlap) or is close enough in
embedding space; otherwise it is moved to the passage that does support the
sentence, or dropped.  Each verdict is recorded in the answer's JSON.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import numpy as np

from tutor.chain.answer import CitationCheck, Source
from tutor.chain.text import overlap_ratio

if TYPE_CHECKING:
    from tutor.index.embeddings import TutorEmbeddings

__all__ = ["check_citations", "cited_numbers", "MARKER"]

MARKER = re.compile(r"\[(\d{1,2}(?:\s*[,，、]\s*\d{1,2})*)\]|【(\d{1,2})】")
_SEGMENT = re.compile(r"[^。！？!?\n]*(?:[。！？!?]+(?:\s*(?:\[\d{1,2}(?:\s*[,，、]\s*\d{1,2})*\]|【\d{1,2}】))*|\n|$)")


def _numbers(match: re.Match[str]) -> list[int]:
    raw = match.group(1) or match.group(2) or ""
    return [int(x) for x in re.split(r"\s*[,，、]\s*", raw) if x]


def cited_numbers(text: str) -> list[int]:
    out: list[int] = []
    for m in MARKER.finditer(text):
        out.extend(n for n in _numbers(m) if n not in out)
    return out


class _Similarity:
    """Embeds sentences and passages on demand (only when overlap alone does not decide)."""

    def __init__(self, embedder: TutorEmbeddings | None, sources: dict[int, Source]) -> None:
        self.embedder = embedder
        self.sources = sources
        self._passages: dict[int, np.ndarray] = {}

    def __call__(self, sentence: str, n: int) -> float | None:
        if self.embedder is None:
            return None
        if not self._passages:
            numbers = sorted(self.sources)
            vectors = self.embedder.embed_queries([self.sources[k].text for k in numbers])
            self._passages = {k: np.asarray(v, dtype=np.float32) for k, v in zip(numbers, vectors, strict=True)}
        vector = np.asarray(self.embedder.embed_query(sentence), dtype=np.float32)
        return float(self._passages[n] @ vector)


def check_citations(
    text: str,
    sources: list[Source],
    embedder: TutorEmbeddings | None,
    min_similarity: float,
    min_overlap: float,
) -> tuple[str, list[CitationCheck], list[int]]:
    """Return the cleaned text, one check per (sentence, marker), and the dangling numbers removed."""
    by_n = {s.n: s for s in sources}
    similarity = _Similarity(embedder, by_n)
    checks: list[CitationCheck] = []
    removed: list[int] = []

    def verdict(sentence: str, n: int) -> int | None:
        source = by_n[n]
        overlap = overlap_ratio(sentence, source.text)
        sim = None if overlap >= min_overlap else similarity(sentence, n)
        if overlap >= min_overlap or (sim is not None and sim >= min_similarity):
            checks.append(CitationCheck(sentence=sentence, cited=n, similarity=sim, overlap=round(overlap, 3),
                                        supported=True, action="kept"))
            return n
        # the model cited the wrong passage or none supports the sentence: find a better one
        best, best_score = None, 0.0
        for other in by_n:
            if other == n:
                continue
            o = overlap_ratio(sentence, by_n[other].text)
            s = similarity(sentence, other) if o < min_overlap else None
            if o >= min_overlap or (s is not None and s >= min_similarity):
                score = max(o, s or 0.0)
                if score > best_score:
                    best, best_score = other, score
        checks.append(CitationCheck(sentence=sentence, cited=n, similarity=None if sim is None else round(sim, 4),
                                    overlap=round(overlap, 3), supported=False,
                                    action="moved" if best else "dropped", moved_to=best))
        return best

    def fix_segment(segment: str) -> str:
        sentence = MARKER.sub("", segment).strip()
        if not sentence:
            return MARKER.sub("", segment)

        def replace(match: re.Match[str]) -> str:
            kept: list[int] = []
            for n in _numbers(match):
                if n not in by_n:
                    removed.append(n)
                    continue
                target = verdict(sentence, n) if len(sentence) >= 4 else n
                if target is not None and target not in kept:
                    kept.append(target)
            return "".join(f"[{k}]" for k in kept)

        return MARKER.sub(replace, segment)

    cleaned = "".join(fix_segment(m.group(0)) for m in _SEGMENT.finditer(text) if m.group(0))
    cleaned = re.sub(r"[ \t]+\n", "\n", cleaned)
    used = set(cited_numbers(cleaned))
    for source in sources:
        source.cited = source.n in used
    return cleaned, checks, sorted(set(removed))
