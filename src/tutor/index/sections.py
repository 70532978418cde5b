"""A finer dense view of the material: one vector per block of a passage, ranked back to passages.

A 600-character passage of the roadmap lists a dozen concepts ("监督学习 … 无监督学习 - K-means 聚类 -
PCA 降维 … 核心概念 - 过拟合和欠拟合"); its one vector is the average of all of them, so a question
that describes one concept in other words ("splitting unlabelled points into groups") is close to
none.  Here every block of a passage (a bold label with its list items, a paragraph, a heading's
first lines) gets its own vector, prefixed with the passage's heading path; a question ranks the
passages by their best block.  The blocks are never cited: the ranking is one more RRF list over
the passages themselves (`retrieval.section_view_weight`).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Sequence
from typing import Any

from tutor.index.bm25 import BM25Index
from tutor.index.store import StoredChunk

__all__ = ["SectionView", "blocks"]

log = logging.getLogger(__name__)

_BOLD_LABEL = re.compile(r"^\*\*[^*]{1,40}\*\*[：:]?\s*$")
_HEADING = re.compile(r"^#{1,6}\s")
_STARS = re.compile(r"[⭐★☆]+")


def blocks(text: str, max_chars: int = 240) -> list[str]:
    """A passage cut at blank lines and at bold labels ("**无监督学习**"); tables and code are left out."""
    out: list[list[str]] = [[]]
    in_code = False
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("```"):
            in_code = not in_code
            continue
        if in_code or line.startswith("|"):
            continue
        if not line or _BOLD_LABEL.match(line) or _HEADING.match(line):
            if out[-1]:
                out.append([])
            if not line:
                continue
        out[-1].append(
            line.lstrip("#-*0123456789. ").strip() if _HEADING.match(line) else line.replace("**", "")
        )
    joined = [" ".join(b) for b in out if b]
    return [b[:max_chars] for b in joined if len(b) >= 4]


def _path(meta: dict[str, Any]) -> str:
    headings = json.loads(meta.get("headings", "[]") or "[]")
    return " › ".join(_STARS.sub("", h).strip() for h in headings[-2:])


class SectionView:
    """Block vectors of every passage in the BM25 index, and a passage ranking by the best block."""

    def __init__(self, bm25: BM25Index, embed_documents: Callable[[list[str]], list[list[float]]]) -> None:
        import numpy as np

        self.bm25 = bm25
        texts, metadata = bm25.texts, bm25.metadata
        facets: list[str] = []
        owner: list[int] = []
        for row, (text, meta) in enumerate(zip(texts, metadata, strict=True)):
            path = _path(meta)
            for block in blocks(text):
                facets.append(f"{path}：{block}" if path else block)
                owner.append(row)
        self.docs = [str(m.get("doc", "")) for m in metadata]
        self.owner = np.asarray(owner, dtype=np.int64)
        vectors = np.asarray(embed_documents(facets), dtype=np.float32) if facets else np.zeros((0, 1))
        norms = np.linalg.norm(vectors, axis=1, keepdims=True) if len(vectors) else 1.0
        self.vectors = vectors / np.maximum(norms, 1e-9)
        log.info("section view: %d blocks over %d passages", len(facets), len(texts))

    def __len__(self) -> int:
        return len(self.owner)

    def rank(
        self, query_vector: Sequence[float], k: int, allowed: Callable[[str], bool] = lambda d: True
    ) -> list[StoredChunk]:
        """The k passages whose best block is closest to the question (score: that cosine)."""
        import numpy as np

        if not len(self.owner):
            return []
        q = np.asarray(query_vector, dtype=np.float32)
        q = q / max(float(np.linalg.norm(q)), 1e-9)
        sims = self.vectors @ q
        best = np.full(len(self.docs), -2.0, dtype=np.float32)
        np.maximum.at(best, self.owner, sims)
        rows = [int(i) for i in np.argsort(-best) if best[i] > -2.0 and allowed(self.docs[int(i)])][:k]
        records = self.bm25.records.fetch(rows)
        return [
            StoredChunk(id=self.bm25.ids[i], text=text, metadata=meta, score=float(best[i]))
            for i, (text, meta) in zip(rows, records, strict=True)
        ]
