"""Near-duplicate removal for fused retrieval results, in one pass that stops at `limit`.

The old version compared every candidate with every kept one by full trigram-set Jaccard
(building the union set each time) over the whole fused list: 19 ms for 30 candidates,
181 ms for 100 (issue 17).  This keeps the same decisions (identical chunk hash, or trigram
Jaccard >= threshold against a kept passage, best first) but:

- stops once `limit` passages are kept (the retriever returns k; the rest was thrown away),
  so at most limit x candidates comparisons, and trigrams are built only for what is examined;
- skips a pair whose sizes alone rule the threshold out (J <= min/max), and counts the
  intersection only (|A u B| = |A| + |B| - |A n B|).
"""

from __future__ import annotations

from collections.abc import Iterable

from tutor.index.store import StoredChunk
from tutor.textsim import trigrams

__all__ = ["dedup"]


def dedup(chunks: Iterable[StoredChunk], threshold: float, limit: int | None = None) -> list[StoredChunk]:
    """Keep the first of any group of near-identical passages (input is best-first), at most `limit`."""
    kept: list[StoredChunk] = []
    grams_kept: list[set[str]] = []
    hashes: set[str] = set()
    if limit is not None and limit <= 0:
        return kept
    for chunk in chunks:
        digest = chunk.metadata.get("chunk_hash")
        if digest and digest in hashes:
            continue
        grams = trigrams(chunk.text)
        if any(_similar(grams, other, threshold) for other in grams_kept):
            continue
        kept.append(chunk)
        grams_kept.append(grams)
        if digest:
            hashes.add(digest)
        if limit is not None and len(kept) >= limit:
            break  # the caller keeps no more than this: the rest need not be looked at
    return kept


def _similar(a: set[str], b: set[str], threshold: float) -> bool:
    small, big = (a, b) if len(a) <= len(b) else (b, a)
    if len(small) < threshold * len(big):  # Jaccard <= |small| / |big|: cannot reach the threshold
        return False
    inter = len(small & big)
    return inter / max(1, len(a) + len(b) - inter) >= threshold
