"""Embed, once, every corpus text a no-LLM answer compares with its question.

The block composer scores each candidate block of each passage against the question, and the
citation check compares sentences with whole passages.  Those texts depend on the passages only,
so their vectors are computed here for every live chunk (after an ingest, behind the UI) and kept
on disk by the caching embedder; an answer then embeds only its question.

The texts are collected by running the composer itself with a recording embedder, so whatever
the composer embeds is what gets warmed, however its selection rules change.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from tutor.chain.compose import select_blocks
from tutor.chain.sections import source_of
from tutor.index.embeddings import TutorEmbeddings
from tutor.index.store import StoredChunk

__all__ = ["answer_texts", "warm_answer_vectors"]

log = logging.getLogger(__name__)


class _Recorder(TutorEmbeddings):
    """Remembers what would be stored; every vector it returns is a placeholder."""

    def __init__(self, dimension: int) -> None:
        self.dimension = dimension
        self.seen: dict[str, None] = {}

    def embed_query(self, text: str) -> list[float]:
        return [0.0] * self.dimension

    def embed_stored(self, texts: list[str]) -> list[list[float]]:
        self.seen.update(dict.fromkeys(texts))
        return [[0.0] * self.dimension for _ in texts]


def answer_texts(chunks: Sequence[StoredChunk], dimension: int = 1) -> list[str]:
    """The stable texts answers embed for these chunks: each passage and each of its blocks."""
    recorder = _Recorder(dimension)
    for chunk in chunks:
        source = source_of(1, chunk)
        recorder.seen[source.text] = None  # the citation check compares sentences with the passage
        select_blocks("", [source], recorder)
    return list(recorder.seen)


def warm_answer_vectors(chunks: Sequence[StoredChunk], embedder: TutorEmbeddings, batch: int = 256) -> int:
    """Embed (or find on disk) the answer texts of `chunks`; returns how many texts there were."""
    texts = answer_texts(chunks, embedder.dimension or 1)
    for start in range(0, len(texts), batch):
        embedder.embed_stored(texts[start : start + batch])
    log.info("Answer vectors ready: %d texts from %d chunks", len(texts), len(chunks))
    return len(texts)
