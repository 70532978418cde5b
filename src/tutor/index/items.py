"""An item-level dense view: every list item, bold-labelled line and table row as its own small text.

The block view (`tutor.index.sections.SectionView`) embeds a bold label with all its items ("文本表示
Bag of Words TF-IDF Word2Vec GloVe"), so a question that describes one item in other words ("turning
words into vectors") is compared with the average of four.  Here each item is embedded alone with
its heading path and label ("技能点 6：自然语言处理 › 核心内容 › 文本表示：Word2Vec") — the concept
glossary's own entries (`concept_entries`), so their vectors are shared with it on disk — plus every
table row that is not a link list; a question ranks the passages by their best item, as one more RRF
list (`retrieval.item_view_weight`).  Items are never cited: the ranking is over the passages.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Collection, Sequence
from typing import Any

from tutor.index.bm25 import BM25Index
from tutor.index.sections import concept_entries, heading_path
from tutor.index.store import StoredChunk

__all__ = ["ItemView", "item_texts"]

log = logging.getLogger(__name__)

_RULE = re.compile(r"^\|?[\s:|-]+\|?$")


def _table_rows(text: str, path: str) -> list[str]:
    """The body rows of the passage's tables ("| Word2Vec | 词向量 | …"), without link-only cells."""
    rows: list[str] = []
    header = True
    for raw in text.splitlines():
        line = raw.strip()
        if not line.startswith("|"):
            header = True
            continue
        if _RULE.match(line):
            continue
        if header:  # the first row of a table names its columns
            header = False
            continue
        cells = [c.strip() for c in line.strip("|").split("|") if c.strip() and "http" not in c]
        if cells:
            rows.append(f"{path}：{' | '.join(cells)}" if path else " | ".join(cells))
    return rows


def item_texts(
    texts: Sequence[str], metadata: Sequence[dict[str, Any]], skip_docs: Collection[str] = ()
) -> tuple[list[str], list[int]]:
    """(item text, BM25 row) for every list item, bold-labelled line and table row of the passages."""
    items: list[str] = []
    owner: list[int] = []
    for row, (text, meta) in enumerate(zip(texts, metadata, strict=True)):
        if meta.get("doc") in skip_docs:
            continue
        found = [d for _, d in concept_entries([text], [meta])] + _table_rows(text, heading_path(meta))
        items += found
        owner += [row] * len(found)
    return items, owner


class ItemView:
    """Item vectors of every live passage, and a passage ranking by the best item."""

    def __init__(
        self,
        bm25: BM25Index,
        embed_documents: Callable[[list[str]], list[list[float]]],
        skip_docs: Collection[str] = (),
    ) -> None:
        import numpy as np

        self.bm25 = bm25
        items, owner = item_texts(bm25.texts, bm25.metadata, skip_docs)
        self.docs = bm25.docs()  # the filter column (an index loaded with its levers has no other)
        self.owner = np.asarray(owner, dtype=np.int64)
        vectors = np.asarray(embed_documents(items), dtype=np.float32) if items else np.zeros((0, 1))
        norms = np.linalg.norm(vectors, axis=1, keepdims=True) if len(vectors) else 1.0
        self.vectors = vectors / np.maximum(norms, 1e-9)
        log.info("item view: %d items over %d passages", len(items), len(set(owner)))

    def __len__(self) -> int:
        return len(self.owner)

    def best_items(self, query_vector: Sequence[float]) -> Any:
        """Per passage (BM25 row), the cosine of its best item to the question; -2 for none."""
        import numpy as np

        q = np.asarray(query_vector, dtype=np.float32)
        best = np.full(len(self.docs), -2.0, dtype=np.float32)
        if len(self.owner):
            np.maximum.at(best, self.owner, self.vectors @ (q / max(float(np.linalg.norm(q)), 1e-9)))
        return best

    def similarity(self, ids: Sequence[str], query_vector: Sequence[float]) -> dict[str, float]:
        """The best-item cosine of the passages `ids` (those without items are left out)."""
        if not hasattr(self, "_row_of"):
            self._row_of = {cid: i for i, cid in enumerate(self.bm25.ids)}
        best = self.best_items(query_vector)
        rows = {cid: self._row_of[cid] for cid in ids if cid in self._row_of}
        return {cid: float(best[r]) for cid, r in rows.items() if best[r] > -2.0}

    def rank(
        self, query_vector: Sequence[float], k: int, allowed: Callable[[str], bool] = lambda d: True
    ) -> list[StoredChunk]:
        """The k passages whose best item is closest to the question (score: that cosine)."""
        import numpy as np

        if not len(self.owner):
            return []
        best = self.best_items(query_vector)
        order = np.argsort(-best, kind="stable")
        rows = [int(i) for i in order if best[i] > -2.0 and allowed(self.docs[int(i)])][:k]
        records = self.bm25.records.fetch(rows)
        return [
            StoredChunk(id=self.bm25.ids[i], text=text, metadata=meta, score=float(best[i]))
            for i, (text, meta) in zip(rows, records, strict=True)
        ]
