"""A persisted bm25s index kept in step with the live chunks of the Chroma collection.

It is rebuilt from the store after every ingest that changed anything, and it
records a fingerprint of the chunk ids it covers: a reader whose manifest
lists other chunks rebuilds it instead of serving stale keyword results.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import tempfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from tutor.index.records import FORMAT, ChunkRecords, filter_mask
from tutor.index.store import StoredChunk
from tutor.index.tokenize import TOKENIZER_VERSION, tokenize

__all__ = ["BM25Index", "feedback_terms", "fingerprint", "matches", "top_positive"]

log = logging.getLogger(__name__)

_MASK_CACHE = 32  # distinct filters kept (the default one, a few documents and stages)
# From this many chunks on, `search` selects its top k with `top_positive` instead of bm25s: the same
# scores in the same order, but equal scores ordered by row, where bm25s' order among them is whatever
# numpy's introselect left.  Below it the results stay exactly what they always were (bm25s' selection
# costs ~1 ms at 10k chunks, ~10-20 ms at 100k, 120-190 ms at 1M: it grows with the rows).
TOP_POSITIVE_MIN_ROWS = 100_000


def fingerprint(chunk_ids: Iterable[str], heading_boost: int = 1) -> str:
    """Covers the chunk ids, the tokenizer and how the text was built: any change means a rebuild."""
    h = hashlib.sha256(TOKENIZER_VERSION.encode())
    if heading_boost != 1:
        h.update(f"heading_boost={heading_boost}".encode())
    for cid in sorted(chunk_ids):
        h.update(cid.encode())
        h.update(b"\0")
    return h.hexdigest()


class BM25Index:
    """BM25 over chunk texts (with their heading context) and the columns its filters need.

    Per query nothing walks the chunks in Python: a filter is a precomputed mask over the
    document and stage columns (cached per filter), and only the top k are read back (from
    `TOP_POSITIVE_MIN_ROWS` chunks on, selected among the rows that score at all).  The chunk
    texts and metadata (about 1.8 KB a chunk) stay on disk (`ChunkRecords`) and are read for the k
    results only; `texts` and `metadata` read them all, for one-off builds (router, glossary).
    """

    def __init__(self, retriever: Any, ids: list[str], records: ChunkRecords, fingerprint: str) -> None:
        self.retriever = retriever
        self.ids = ids
        self.records = records
        self.fingerprint = fingerprint
        self.columns = records.columns()
        self._masks: dict[str, tuple[Any, int]] = {}
        self._rows: dict[str, int] | None = None
        self._docs: list[str] | None = None
        #: where this index is saved (its generation: the levers' stored data lives under it), None in memory
        self.directory: Path | None = None

    @classmethod
    def build(cls, chunks: Sequence[StoredChunk], heading_boost: int = 1) -> BM25Index:
        """`heading_boost` repeats the title and heading path that many times (a heading-field weight)."""
        import bm25s

        corpus = [tokenize(_context(c, heading_boost)) for c in chunks]
        retriever = bm25s.BM25()
        retriever.index(corpus, show_progress=False)
        return cls.from_retriever(retriever, chunks, fingerprint((c.id for c in chunks), heading_boost))

    @classmethod
    def from_retriever(cls, retriever: Any, chunks: Sequence[StoredChunk], fp: str) -> BM25Index:
        """Wrap an indexed bm25s retriever whose rows are `chunks` in order (benchmarks build it from tokens)."""
        return cls(retriever, [c.id for c in chunks], ChunkRecords.in_memory(chunks), fp)

    @property
    def texts(self) -> list[str]:
        return self.records.texts()

    @property
    def metadata(self) -> list[dict[str, Any]]:
        return self.records.metadata()

    def docs(self) -> list[str]:
        """Every row's document id, from the filter column (not by reading the records)."""
        if self._docs is None:
            column = self.columns["doc"]
            names = ["" if v is None else str(v) for v in column.values]
            self._docs = [names[int(c)] for c in column.codes]
        return self._docs

    def save(self, directory: Path, extra: Callable[[Path], None] | None = None) -> None:
        """Write to a temporary sibling and swap it in, so readers never see half an index.

        `extra(tmp)` writes more of the same generation (the levers' data) before the swap."""
        directory.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".bm25-", dir=directory.parent))
        try:
            self.retriever.save(str(tmp / "bm25"), show_progress=False)
            self.records.save(tmp)
            (tmp / "chunks.json").write_text(
                json.dumps({"fingerprint": self.fingerprint, "format": FORMAT, "ids": self.ids})
            )
            if extra is not None:
                extra(tmp)
            old = directory.with_name(directory.name + ".old")
            if directory.exists():
                shutil.rmtree(old, ignore_errors=True)
                directory.rename(old)
            tmp.rename(directory)
            shutil.rmtree(old, ignore_errors=True)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        self.records = ChunkRecords.on_disk(directory)  # the texts leave memory once they are on disk
        self.directory = directory

    @classmethod
    def load(cls, directory: Path) -> BM25Index | None:
        import bm25s

        meta_path = directory / "chunks.json"
        if not meta_path.is_file():
            return None
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
            if meta.get("format") != FORMAT:
                log.info("BM25 index at %s has an older layout; it will be rebuilt", directory)
                return None
            records = ChunkRecords.on_disk(directory)
            retriever = bm25s.BM25.load(str(directory / "bm25"), show_progress=False)
        except (OSError, ValueError, KeyError) as exc:
            log.warning("BM25 index at %s is unreadable (%s); it will be rebuilt", directory, exc)
            return None
        index = cls(retriever, meta["ids"], records, meta["fingerprint"])
        index.directory = directory
        return index

    def mask(self, where: dict[str, Any] | None) -> Any:
        """The rows `where` allows (float32 0/1, as bm25s' weight_mask wants), or None for all rows.

        Computed once per distinct filter from the columns (numpy), not per query."""
        return self._mask(where)[0]

    def _mask(self, where: dict[str, Any] | None) -> tuple[Any, int]:
        """(mask or None, rows allowed), cached per distinct filter."""
        if not where:
            return None, len(self.ids)
        key = json.dumps(where, sort_keys=True, ensure_ascii=False, default=str)
        cached = self._masks.get(key)
        if cached is None:
            mask = filter_mask(self.columns, where, len(self.ids), self.records.metadata)
            cached = (mask, int(mask.sum()))
            if len(self._masks) >= _MASK_CACHE:
                self._masks = {}  # many ad-hoc filters: start over (no iteration another thread could race)
            self._masks[key] = cached
        return cached

    def lookup(self, chunk_ids: Sequence[str]) -> list[tuple[str, dict[str, Any]] | None]:
        """(text, metadata) of each id from the records, None for an id this index does not cover.

        Dense queries read their hits' texts here instead of from Chroma (store.ChromaStore.query)."""
        rows = self._rows
        if rows is None:
            rows = self._rows = {cid: i for i, cid in enumerate(self.ids)}
        found = [rows.get(cid) for cid in chunk_ids]
        fetched = iter(self.records.fetch([i for i in found if i is not None]))
        return [next(fetched) if i is not None else None for i in found]

    def search(self, query: str, k: int, where: dict[str, Any] | None = None) -> list[StoredChunk]:
        """Top-k chunks by BM25; `where` filters metadata like Chroma does (value or {"$ne": value})."""
        vocab = self.retriever.vocab_dict
        tokens = [t for t in tokenize(query) if t in vocab]
        if not tokens or not self.ids:
            return []
        mask, allowed = self._mask(where)
        if allowed == 0:
            return []
        if len(self.ids) < TOP_POSITIVE_MIN_ROWS:  # bm25s' own top-k: its order among equal scores
            docs, found = self.retriever.retrieve(
                [tokens], k=min(k, allowed), show_progress=False, n_threads=0, weight_mask=mask
            )
            rows = [(int(i), float(sc)) for i, sc in zip(docs[0], found[0], strict=False) if sc > 0]
        else:
            scores = self.retriever.get_scores_from_ids(
                self.retriever.get_tokens_ids(tokens), weight_mask=mask
            )
            rows = top_positive(scores, min(k, allowed))
        records = self.records.fetch([i for i, _ in rows])
        return [
            StoredChunk(id=self.ids[i], text=text, metadata=meta, score=score)
            for (i, score), (text, meta) in zip(rows, records, strict=True)
        ]


def top_positive(scores: Any, k: int) -> list[tuple[int, float]]:
    """The `k` rows with the highest positive scores, best first, equal scores by row: (row, score).

    Exact, and what bm25s' own top-k returns except that its order among equal scores is arbitrary.
    Not bm25s' `retrieve`: it selects with `np.argpartition(scores, -k)` over every row, and when most
    rows score 0 (a query matches a fraction of a large collection) numpy's introselect degrades
    about 20-fold (1M rows: ~120 ms instead of ~6 ms).  Only the positive rows are candidates here.
    """
    import numpy as np

    rows = np.flatnonzero(scores > 0)
    if k <= 0 or not len(rows):
        return []
    values = scores[rows]
    if len(rows) > k:
        kth = -np.partition(-values, k - 1)[k - 1]  # the k-th highest score
        above = np.flatnonzero(values > kth)
        tied = np.flatnonzero(values == kth)[: k - len(above)]  # rows ascending: the lowest rows win
        keep = np.concatenate([above, tied])
        rows, values = rows[keep], values[keep]
    order = np.lexsort((rows, -values))
    return [(int(rows[i]), float(values[i])) for i in order]


def _idf(index: BM25Index) -> dict[str, float]:
    import math

    cached = index.__dict__.get("_idf_cache")
    if cached is None:
        df: dict[str, int] = {}
        texts = index.texts  # read from disk once; the idf table is what stays
        for text in texts:
            for token in set(tokenize(text)):
                df[token] = df.get(token, 0) + 1
        n = max(1, len(texts))
        cached = {t: math.log(1 + (n - d + 0.5) / (d + 0.5)) for t, d in df.items()}
        index.__dict__["_idf_cache"] = cached
    return cached


def feedback_terms(
    index: BM25Index, chunk_ids: Sequence[str], n: int, exclude: Iterable[str] = ()
) -> list[str]:
    """Pseudo-relevance feedback: the `n` most characteristic tokens (tf x idf) of the given passages."""
    idf = _idf(index)
    skip = set(exclude)
    where = {cid: i for i, cid in enumerate(index.ids)}
    rows = [where[cid] for cid in chunk_ids if cid in where]
    weights: dict[str, float] = {}
    for text, _ in index.records.fetch(rows):
        for token in tokenize(text):
            if token in skip or len(token) < 2:
                continue
            weights[token] = weights.get(token, 0.0) + idf.get(token, 0.0)
    return [t for t, _ in sorted(weights.items(), key=lambda kv: -kv[1])[:n]]


def _context(chunk: StoredChunk, heading_boost: int = 1) -> str:
    """Title and headings (repeated `heading_boost` times: a heading-field weight), then the text."""
    headings = " ".join(chunk.headings)
    head = "\n".join([f"{chunk.title} {headings}"] * heading_boost)
    return f"{head}\n{chunk.text}"


def matches(actual: Any, wanted: Any) -> bool:
    if isinstance(wanted, dict) and "$ne" in wanted:
        return actual != wanted["$ne"]
    return actual == wanted
