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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tutor.index.store import StoredChunk
from tutor.index.tokenize import TOKENIZER_VERSION, tokenize

__all__ = ["BM25Index", "feedback_terms", "fingerprint", "matches"]

log = logging.getLogger(__name__)


def fingerprint(chunk_ids: Iterable[str], heading_boost: int = 1) -> str:
    """Covers the chunk ids, the tokenizer and how the text was built: any change means a rebuild."""
    h = hashlib.sha256(TOKENIZER_VERSION.encode())
    if heading_boost != 1:
        h.update(f"heading_boost={heading_boost}".encode())
    for cid in sorted(chunk_ids):
        h.update(cid.encode())
        h.update(b"\0")
    return h.hexdigest()


@dataclass
class BM25Index:
    """BM25 over chunk texts (with their heading context), plus filterable metadata."""

    retriever: Any
    ids: list[str]
    metadata: list[dict[str, Any]]
    texts: list[str]
    fingerprint: str

    @classmethod
    def build(cls, chunks: Sequence[StoredChunk], heading_boost: int = 1) -> BM25Index:
        """`heading_boost` repeats the title and heading path that many times (a heading-field weight)."""
        import bm25s

        corpus = [tokenize(_context(c, heading_boost)) for c in chunks]
        retriever = bm25s.BM25()
        retriever.index(corpus, show_progress=False)
        return cls(
            retriever=retriever,
            ids=[c.id for c in chunks],
            metadata=[dict(c.metadata) for c in chunks],
            texts=[c.text for c in chunks],
            fingerprint=fingerprint((c.id for c in chunks), heading_boost),
        )

    def save(self, directory: Path) -> None:
        """Write to a temporary sibling and swap it in, so readers never see half an index."""
        directory.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".bm25-", dir=directory.parent))
        try:
            self.retriever.save(str(tmp / "bm25"), show_progress=False)
            (tmp / "chunks.json").write_text(
                json.dumps(
                    {
                        "fingerprint": self.fingerprint,
                        "ids": self.ids,
                        "metadata": self.metadata,
                        "texts": self.texts,
                    },
                    ensure_ascii=False,
                )
            )
            old = directory.with_name(directory.name + ".old")
            if directory.exists():
                shutil.rmtree(old, ignore_errors=True)
                directory.rename(old)
            tmp.rename(directory)
            shutil.rmtree(old, ignore_errors=True)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise

    @classmethod
    def load(cls, directory: Path) -> BM25Index | None:
        import bm25s

        meta_path = directory / "chunks.json"
        if not meta_path.is_file():
            return None
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
            retriever = bm25s.BM25.load(str(directory / "bm25"), show_progress=False)
        except (OSError, ValueError, KeyError) as exc:
            log.warning("BM25 index at %s is unreadable (%s); it will be rebuilt", directory, exc)
            return None
        return cls(retriever, meta["ids"], meta["metadata"], meta["texts"], meta["fingerprint"])

    def search(self, query: str, k: int, where: dict[str, Any] | None = None) -> list[StoredChunk]:
        """Top-k chunks by BM25; `where` filters metadata like Chroma does (value or {"$ne": value})."""
        vocab = self.retriever.vocab_dict
        tokens = [t for t in tokenize(query) if t in vocab]
        if not tokens or not self.ids:
            return []
        mask = None
        if where:
            import numpy as np

            mask = np.array(
                [all(matches(m.get(key), value) for key, value in where.items()) for m in self.metadata],
                dtype=np.float32,
            )
            if not mask.any():
                return []
        n = min(len(self.ids), k if mask is None else len(self.ids))
        docs, scores = self.retriever.retrieve(
            [tokens], k=n, show_progress=False, n_threads=1, weight_mask=mask
        )
        out: list[StoredChunk] = []
        for idx, score in zip(docs[0], scores[0], strict=False):
            if score <= 0:
                continue
            i = int(idx)
            out.append(
                StoredChunk(id=self.ids[i], text=self.texts[i], metadata=self.metadata[i], score=float(score))
            )
            if len(out) == k:
                break
        return out


def _idf(index: BM25Index) -> dict[str, float]:
    import math

    cached = index.__dict__.get("_idf_cache")
    if cached is None:
        df: dict[str, int] = {}
        for text in index.texts:
            for token in set(tokenize(text)):
                df[token] = df.get(token, 0) + 1
        n = max(1, len(index.texts))
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
    weights: dict[str, float] = {}
    for cid in chunk_ids:
        i = where.get(cid)
        if i is None:
            continue
        for token in tokenize(index.texts[i]):
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
