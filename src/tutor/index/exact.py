"""Exact, reproducible dense search for collections small enough to hold in memory.

Embedded Chroma answers a query from its HNSW graph, and that graph is rebuilt from the stored
vectors in every new process with a different insertion order, so the same question got different
neighbours in each process (about one eval question of noise on every number, and per-question
compares showing flips no change made).  Below `vector_store.exact_search_max` live chunks the
store instead keeps the live vectors of a collection in memory, once per set of live revisions,
and ranks by exact cosine: the same answer in every process, and no approximation.  Bigger
collections (a 1M store) keep Chroma's HNSW search; their vectors are never loaded here.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["ExactView", "UnsupportedFilter", "where_matches"]

log = logging.getLogger(__name__)


class UnsupportedFilter(ValueError):
    """A Chroma filter this module does not evaluate; the caller asks Chroma instead."""


@dataclass(frozen=True)
class ExactView:
    """The live rows of one collection: ids (sorted), unit vectors, texts and metadata."""

    ids: list[str]
    vectors: np.ndarray  # (n, dim) float32, each row of unit length
    texts: list[str]
    metadata: list[dict[str, Any]]

    @classmethod
    def from_rows(
        cls,
        ids: Sequence[str],
        vectors: Sequence[Sequence[float]] | np.ndarray,
        texts: Sequence[str | None],
        metadata: Sequence[dict[str, Any] | None],
    ) -> ExactView:
        """Rows in id order (Chroma returns them in insertion order, which differs between stores)."""
        order = sorted(range(len(ids)), key=lambda i: str(ids[i]))
        matrix = np.asarray(vectors, dtype=np.float32).reshape(len(ids), -1)[order]
        norms = np.linalg.norm(matrix, axis=1, keepdims=True)
        matrix = (matrix / np.where(norms == 0, 1.0, norms)).astype(np.float32)
        return cls(
            ids=[str(ids[i]) for i in order],
            vectors=matrix,
            texts=[texts[i] or "" for i in order],
            metadata=[dict(metadata[i] or {}) for i in order],
        )

    def __len__(self) -> int:
        return len(self.ids)

    def ranked(self, embedding: Sequence[float]) -> list[tuple[int, float]]:
        """Every row as (row, cosine similarity), best first; ties keep id order."""
        if not self.ids:
            return []
        query = np.asarray(embedding, dtype=np.float32)
        norm = float(np.linalg.norm(query))
        scores = self.vectors @ (query / (norm or 1.0))
        order = np.argsort(-scores, kind="stable")
        return [(int(i), float(scores[i])) for i in order]

    def search(self, embedding: Sequence[float], where: dict[str, Any] | None) -> Iterator[tuple[int, float]]:
        """(row, cosine) of the rows that pass Chroma's `where`, best first (UnsupportedFilter if it can't tell)."""
        for row, score in self.ranked(embedding):
            if where_matches(self.metadata[row], where):
                yield row, score


def where_matches(metadata: dict[str, Any], where: dict[str, Any] | None) -> bool:
    """Chroma's metadata filter ($and/$or, $eq/$ne/$in/$nin/$gt/$gte/$lt/$lte) on one row."""
    if not where:
        return True
    for key, wanted in where.items():
        if key in ("$and", "$or"):
            results = (where_matches(metadata, clause) for clause in wanted)
            if not (all(results) if key == "$and" else any(results)):
                return False
        elif not _value_matches(metadata.get(key), wanted):
            return False
    return True


def _value_matches(actual: Any, wanted: Any) -> bool:
    if not isinstance(wanted, dict):
        return bool(actual == wanted)
    for op, value in wanted.items():
        if op == "$eq":
            ok = actual == value
        elif op == "$ne":
            ok = actual != value
        elif op == "$in":
            ok = actual in value
        elif op == "$nin":
            ok = actual not in value
        elif op in ("$gt", "$gte", "$lt", "$lte"):
            ok = actual is not None and _compare(op, actual, value)
        else:
            raise UnsupportedFilter(f"filter operator {op!r}")
        if not ok:
            return False
    return True


def _compare(op: str, actual: Any, value: Any) -> bool:
    try:
        if op == "$gt":
            return bool(actual > value)
        if op == "$gte":
            return bool(actual >= value)
        if op == "$lt":
            return bool(actual < value)
        return bool(actual <= value)
    except TypeError:
        return False
