"""Ranking metrics with the eval set's relevance rule."""

from __future__ import annotations

import math
from collections.abc import Sequence

from tutor.evaluation.dataset import EvalQuestion, normalize
from tutor.index.store import StoredChunk

__all__ = ["is_relevant", "recall_at", "reciprocal_rank", "ndcg_at", "percentile"]


def is_relevant(chunk: StoredChunk, question: EvalQuestion) -> bool:
    """Same doc as a gold, and the gold section is in the heading path or every must_contain is in the text.

    A resource card (the generated `resource-cards` document) answers a resource question when it
    names every must_contain string: the card of the resource asked for is as good as its table row.
    """
    text = normalize(chunk.text)
    headings = {normalize(h) for h in chunk.headings}
    if (
        chunk.doc == "resource-cards"
        and question.kind == "resource"
        and question.must_contain
        and all(
            normalize(s) in normalize(" ".join(chunk.headings) + " " + chunk.text)
            for s in question.must_contain
        )
    ):
        return True
    for gold in question.gold:
        if chunk.doc != gold.doc:
            continue
        if normalize(gold.section) in headings:
            return True
        if question.must_contain and all(normalize(s) in text for s in question.must_contain):
            return True
    return False


def recall_at(flags: Sequence[bool], k: int) -> float:
    return 1.0 if any(flags[:k]) else 0.0


def reciprocal_rank(flags: Sequence[bool], k: int = 10) -> float:
    for rank, hit in enumerate(flags[:k], 1):
        if hit:
            return 1.0 / rank
    return 0.0


def ndcg_at(flags: Sequence[bool], total_relevant: int, k: int = 10) -> float:
    """Binary-gain nDCG; the ideal ranking puts all relevant chunks of the index first."""
    dcg = sum(1.0 / math.log2(rank + 1) for rank, hit in enumerate(flags[:k], 1) if hit)
    ideal = sum(1.0 / math.log2(rank + 1) for rank in range(1, min(k, total_relevant) + 1))
    return dcg / ideal if ideal else 0.0


def percentile(values: Sequence[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100
    lo, hi = math.floor(pos), math.ceil(pos)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)
