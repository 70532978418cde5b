"""Character-trigram similarity: near-duplicate passages (retrieval) and near-duplicate sentences (answers)."""

from __future__ import annotations

__all__ = ["trigram_jaccard", "trigrams"]


def trigrams(text: str) -> set[str]:
    """Character trigrams of the text with all white space removed (works for Chinese and English)."""
    compact = "".join(text.split())
    return {compact[i : i + 3] for i in range(max(1, len(compact) - 2))}


def trigram_jaccard(a: str, b: str) -> float:
    ga, gb = trigrams(a), trigrams(b)
    return len(ga & gb) / max(1, len(ga | gb))
