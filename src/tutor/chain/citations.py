"""Citation hygiene after generation: every [n] must point at a passage that supports its sentence.

A marker whose number has no passage is removed.  A sentence's marker is kept when
the passage shares enough of its words/characters (overlap) or is close enough in
embedding space; otherwise it is moved to the passage that does support the
sentence, or dropped.  Each verdict is recorded in the answer's JSON.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from tutor.chain.answer import Answer, CitationCheck, Source
from tutor.chain.text import overlap_ratio

if TYPE_CHECKING:
    from tutor.index.embeddings import TutorEmbeddings

__all__ = ["check_citations", "cited_numbers", "mark_cited", "MARKER", "renumber"]

_NEAR_BEST = 0.01
MARKER = re.compile(r"\[(\d{1,2}(?:\s*[,，、]\s*\d{1,2})*)\]|【(\d{1,2})】")
_SEGMENT = re.compile(
    r"[^。！？!?\n]*(?:[。！？!?]+(?:\s*(?:\[\d{1,2}(?:\s*[,，、]\s*\d{1,2})*\]|【\d{1,2}】))*|\n|$)"
)


def _numbers(match: re.Match[str]) -> list[int]:
    raw = match.group(1) or match.group(2) or ""
    return [int(x) for x in re.split(r"\s*[,，、]\s*", raw) if x]


def cited_numbers(text: str) -> list[int]:
    out: list[int] = []
    for m in MARKER.finditer(text):
        out.extend(n for n in _numbers(m) if n not in out)
    return out


def mark_cited(sources: list[Source], text: str) -> None:
    """Flag the sources `text` cites (the sources panel and the eval read the flags, not the text)."""
    numbers = set(cited_numbers(text))
    for s in sources:
        s.cited = s.n in numbers


class _Similarity:
    """Sentence-passage similarity, embedded only where overlap alone does not decide.

    Passages are stable texts (`embed_stored`: read from disk after their first use); the sentences
    that need a vector are embedded together, in one call (`prefetch`), not one call per sentence.
    A quoted answer's sentences are the corpus's own lines, so they are stored as well.
    """

    def __init__(self, embedder: TutorEmbeddings | None, sources: dict[int, Source], quoted: bool) -> None:
        self.embedder = embedder
        self.sources = sources
        self.quoted = quoted
        self._passages: dict[int, np.ndarray] = {}
        self._sentences: dict[str, np.ndarray] = {}  # one vector per sentence, however many passages it meets

    def prefetch(self, sentences: list[str]) -> None:
        """Embed every sentence the check will compare, and the passages, before the first verdict."""
        if self.embedder is None or not sentences:
            return
        if not self._passages:
            numbers = sorted(self.sources)
            vectors = self.embedder.embed_stored([self.sources[k].text for k in numbers])
            self._passages = {
                k: np.asarray(v, dtype=np.float32) for k, v in zip(numbers, vectors, strict=True)
            }
        todo = [s for s in dict.fromkeys(sentences) if s not in self._sentences]
        if todo:
            embed = self.embedder.embed_stored if self.quoted else self.embedder.embed_queries
            for sentence, vector in zip(todo, embed(todo), strict=True):
                self._sentences[sentence] = np.asarray(vector, dtype=np.float32)

    def __call__(self, sentence: str, n: int) -> float | None:
        if self.embedder is None:
            return None
        if sentence not in self._sentences or not self._passages:
            self.prefetch([sentence])
        return float(self._passages[n] @ self._sentences[sentence])


@dataclass
class _Judge:
    """Decides one (sentence, cited passage) pair and records the check: keep, move or drop the marker."""

    by_n: dict[int, Source]
    similarity: _Similarity
    min_similarity: float
    min_overlap: float
    floor: float
    checks: list[CitationCheck] = field(default_factory=list)

    def __call__(self, sentence: str, n: int) -> int | None:
        """The passage number the marker should point to, or None to drop it."""
        overlaps = {k: overlap_ratio(sentence, src.text) for k, src in self.by_n.items()}
        if overlaps[n] >= self.min_overlap:
            self.checks.append(
                CitationCheck(
                    sentence=sentence,
                    cited=n,
                    similarity=None,
                    overlap=round(overlaps[n], 3),
                    supported=True,
                    action="kept",
                )
            )
            return n
        sims = {k: self.similarity(sentence, k) for k in self.by_n}
        sim = sims[n]
        best = max(self.by_n, key=lambda k: (overlaps[k] >= self.min_overlap, sims[k] or 0.0))
        supported = sim is not None and (
            sim >= self.min_similarity or (sim >= self.floor and sim >= (sims[best] or 0.0) - _NEAR_BEST)
        )
        if supported and sim is not None:
            self.checks.append(
                CitationCheck(
                    sentence=sentence,
                    cited=n,
                    similarity=round(sim, 4),
                    overlap=round(overlaps[n], 3),
                    supported=True,
                    action="kept",
                )
            )
            return n
        # the model cited the wrong passage, or none supports the sentence
        best_ok = best != n and (overlaps[best] >= self.min_overlap or (sims[best] or 0.0) >= self.floor)
        self.checks.append(
            CitationCheck(
                sentence=sentence,
                cited=n,
                similarity=None if sim is None else round(sim, 4),
                overlap=round(overlaps[n], 3),
                supported=False,
                action="moved" if best_ok else "dropped",
                moved_to=best if best_ok else None,
            )
        )
        return best if best_ok else None


def _undecided(text: str, by_n: dict[int, Source], min_overlap: float) -> list[str]:
    """The sentences whose cited passage does not share enough words: the ones that need vectors."""
    out: list[str] = []
    for m in _SEGMENT.finditer(text):
        sentence = MARKER.sub("", m.group(0)).strip()
        if len(sentence) < 4:
            continue
        cited = [n for marker in MARKER.finditer(m.group(0)) for n in _numbers(marker) if n in by_n]
        if any(overlap_ratio(sentence, by_n[n].text) < min_overlap for n in cited):
            out.append(sentence)
    return out


def check_citations(
    text: str,
    sources: list[Source],
    embedder: TutorEmbeddings | None,
    min_similarity: float,
    min_overlap: float,
    floor: float = 0.80,
    quoted: bool = False,
) -> tuple[str, list[CitationCheck], list[int]]:
    """Return the cleaned text, one check per (sentence, marker), and the dangling numbers removed.

    A marker is supported when its passage shares `min_overlap` of the sentence's words, or is
    `min_similarity` close, or is above `floor` and (nearly) the closest passage of all; e5
    similarities are compressed (unrelated Chinese text scores ~0.85), so the relative test matters.
    `quoted`: the text quotes the passages (no-LLM answers), so its sentences' vectors may be stored.
    """
    by_n = {s.n: s for s in sources}
    similarity = _Similarity(embedder, by_n, quoted)
    verdict = _Judge(by_n, similarity, min_similarity, min_overlap, floor)
    removed: list[int] = []
    similarity.prefetch(_undecided(text, by_n, min_overlap))

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
    return cleaned, verdict.checks, sorted(set(removed))


def renumber(answer: Answer) -> str:
    """Citation numbers [1]…[k] in the order the answer first uses them, the uncited passages after.

    A quoted answer keeps its passages' retrieval ranks and a plan numbers every recommended skill, so the
    learner read "[1] … [4]" with no [2] or [3]; the numbers, the passages and the next-step line now agree.
    Returns the renumbered text.
    """
    known = {s.n for s in answer.sources}
    order = [n for n in cited_numbers(answer.text) if n in known]
    mapping = {old: new for new, old in enumerate(order, 1)}
    for s in answer.sources:
        if s.n not in mapping:
            mapping[s.n] = len(mapping) + 1
    if all(old == new for old, new in mapping.items()):
        return answer.text

    def swap(match: re.Match[str]) -> str:
        numbers = [mapping.get(n, n) for n in _numbers(match)]
        return "".join(f"[{n}]" for n in numbers)

    answer.text = MARKER.sub(swap, answer.text)
    if answer.next_step:
        answer.next_step = MARKER.sub(swap, answer.next_step)
    for s in answer.sources:
        s.n = mapping[s.n]
    answer.sources.sort(key=lambda s: s.n)
    for check in answer.citation_checks:
        check.cited = mapping.get(check.cited, check.cited)
        if check.moved_to is not None:
            check.moved_to = mapping.get(check.moved_to, check.moved_to)
    return answer.text
