"""Fewer embedding calls per answer: a counting, caching wrapper around the configured embedder.

An answer used to embed about 19 texts: the question 2-3 times (router, retriever, composer,
citation check) and every candidate block and passage again for each question.  Here

* `embed_query` / `embed_queries` keep recent vectors in memory, keyed by the text with its
  whitespace normalised (the first spelling's vector serves the others), so the router, the retriever and the composer share one embedding
  of the question;
* `embed_stored` (texts drawn from the corpus or the configuration: answer blocks, passages,
  router examples, the concept lexicon's descriptions) keeps vectors on disk, keyed by the model's
  identity and the exact text, one SQLite file per model in a cache shared by every data directory
  (`embeddings.vector_cache_dir`), so each is embedded once per model, not once per data dir, ingest
  or question;
* every call that reaches the model is counted (`calls`, `texts`) and logged at DEBUG, which is
  how the "embedding calls per answer" figure is measured.

Misses of one call are embedded together, in one batch.  Vectors are the model's own; only where
they come from changes, so rankings stay as they were.
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from tutor.index.embeddings import TutorEmbeddings
from tutor.index.settings import default_vector_cache_dir

__all__ = ["CachedEmbeddings", "VectorStore", "default_cache_dir", "normalise", "store_for"]

log = logging.getLogger(__name__)


def normalise(text: str) -> str:
    """The cache key of a text: surrounding and repeated whitespace does not make a new question."""
    return " ".join(text.split())


class VectorStore:
    """Vectors of stable texts in one SQLite file, shared by every data dir and process (WAL: many
    readers and one writer at a time, the others wait up to `timeout` s).

    The cache is an optimisation: an unwritable, locked or corrupt file costs a warning and the
    vectors are simply computed again; a row of the wrong size is a miss.
    """

    def __init__(self, path: Path, namespace: str, dimension: int = 0, timeout: float = 30.0) -> None:
        self.path = path
        self.namespace = namespace  # model identity and prefix: a different one never matches
        self.dimension = dimension  # 0: any length is accepted
        self.timeout = timeout
        self._lock = threading.Lock()
        self._db: sqlite3.Connection | None = None
        self._broken = False

    def _key(self, text: str) -> bytes:
        return hashlib.sha1(f"{self.namespace}\0{text}".encode()).digest()

    def _give_up(self, doing: str, exc: Exception) -> None:
        log.warning(
            "Vector cache %s unusable while %s (%s); vectors are computed instead (delete the file if it "
            "is damaged, or set embeddings.vector_cache_dir)",
            self.path,
            doing,
            exc,
        )
        self._broken = True
        if self._db is not None:
            self._db.close()
            self._db = None

    def _conn(self) -> sqlite3.Connection | None:
        if self._db is None and not self._broken:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                db = sqlite3.connect(self.path, check_same_thread=False, timeout=self.timeout)
                try:
                    db.execute("PRAGMA journal_mode=WAL")
                    db.execute("CREATE TABLE IF NOT EXISTS vectors (key BLOB PRIMARY KEY, vec BLOB NOT NULL)")
                    db.commit()
                except BaseException:
                    db.close()
                    raise
                self._db = db
            except (sqlite3.Error, OSError) as exc:
                self._give_up("opening", exc)
        return self._db

    def get_many(self, texts: Sequence[str]) -> dict[str, np.ndarray]:
        keys = {self._key(t): t for t in texts}
        found: dict[str, np.ndarray] = {}
        width = self.dimension * 4
        with self._lock:
            db = self._conn()
            if db is None:
                return found
            items = list(keys)
            try:
                for start in range(0, len(items), 500):  # SQLite's bound-parameter limit
                    part = items[start : start + 500]
                    marks = ",".join("?" * len(part))
                    rows = db.execute(f"SELECT key, vec FROM vectors WHERE key IN ({marks})", part)
                    for key, blob in rows:
                        if blob and len(blob) % 4 == 0 and (not width or len(blob) == width):
                            found[keys[bytes(key)]] = np.frombuffer(blob, dtype=np.float32)
            except sqlite3.Error as exc:
                self._give_up("reading", exc)
                return {}
        return found

    def put_many(self, vectors: dict[str, np.ndarray]) -> None:
        rows = [(self._key(t), np.asarray(v, dtype=np.float32).tobytes()) for t, v in vectors.items()]
        with self._lock:
            db = self._conn()
            if db is None or not rows:
                return
            try:
                with db:
                    db.executemany("INSERT OR REPLACE INTO vectors (key, vec) VALUES (?, ?)", rows)
            except sqlite3.Error as exc:
                log.warning("Vector cache %s not written (%s)", self.path, exc)

    def count(self) -> int:
        with self._lock:
            db = self._conn()
            try:
                return 0 if db is None else int(db.execute("SELECT COUNT(*) FROM vectors").fetchone()[0])
            except sqlite3.Error as exc:
                self._give_up("counting", exc)
                return 0


class _LRU:
    """A small thread-safe LRU of vectors."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._data: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> np.ndarray | None:
        with self._lock:
            vector = self._data.get(key)
            if vector is not None:
                self._data.move_to_end(key)
            return vector

    def put(self, key: str, vector: np.ndarray) -> None:
        with self._lock:
            self._data[key] = vector
            self._data.move_to_end(key)
            while len(self._data) > self.size:
                self._data.popitem(last=False)


class CachedEmbeddings(TutorEmbeddings):
    """The configured embedder with a query LRU, a disk store for stable texts, and a call counter."""

    def __init__(self, inner: TutorEmbeddings, store: VectorStore | None, lru_size: int = 512) -> None:
        self.inner = inner
        self.model_id = inner.model_id
        self.dimension = inner.dimension
        self.store = store
        # passages (block views, routing cards) are embedded with the passage prefix: their own namespace
        self._passages = (
            VectorStore(store.path, f"{store.namespace}/passage", store.dimension, store.timeout)
            if store is not None
            else None
        )
        self._lru = _LRU(lru_size)
        self._count_lock = threading.Lock()
        self.calls = 0  # requests that reached the model
        self.texts = 0  # texts the model embedded

    def _counted(self, kind: str, n: int) -> None:
        with self._count_lock:
            self.calls += 1
            self.texts += n
            call = self.calls
        log.debug("embedding call #%d: %s, %d text(s)", call, kind, n)

    # --- LangChain's interface ------------------------------------------------------------
    def embed_documents(self, texts: list[str], show_progress: bool = False) -> list[list[float]]:
        """Passages for the index (ingest): counted, never cached here (Chroma keeps them)."""
        self._counted("documents", len(texts))
        return self.inner.embed_documents(texts, show_progress=show_progress)

    def embed_query(self, text: str) -> list[float]:
        return self.embed_queries([text])[0]

    def embed_queries(self, texts: list[str]) -> list[list[float]]:
        """Questions and other passing texts: kept in memory only (never written to disk)."""
        return self._lookup(texts, self._lru_get, self._lru_put, "queries", normalise)

    def embed_stored(self, texts: list[str]) -> list[list[float]]:
        """Texts from the corpus or the configuration: embedded once, then read from disk."""
        if self.store is None:
            return self.embed_queries(texts)
        return self._lookup(texts, self._stored_get, self._stored_put, "stored", str)

    def embed_stored_passages(self, texts: list[str]) -> list[list[float]]:
        """Corpus texts embedded as passages (what `embed_documents` gives), kept on disk like
        `embed_stored`, so a new process (a CLI call) does not re-embed every block or card."""
        if self._passages is None:
            return self.embed_documents(texts)
        store = self._passages
        return self._lookup(
            texts, store.get_many, store.put_many, "stored passages", str, self.inner.embed_documents
        )

    def tokenizer_length(self, text: str) -> int | None:
        return self.inner.tokenizer_length(text)

    # --- the lookups ------------------------------------------------------------------------
    def _lru_get(self, keys: Sequence[str]) -> dict[str, np.ndarray]:
        return {k: v for k in keys if (v := self._lru.get(k)) is not None}

    def _lru_put(self, vectors: dict[str, np.ndarray]) -> None:
        for key, vector in vectors.items():
            self._lru.put(key, vector)

    def _stored_get(self, keys: Sequence[str]) -> dict[str, np.ndarray]:
        assert self.store is not None
        return self.store.get_many(keys)

    def _stored_put(self, vectors: dict[str, np.ndarray]) -> None:
        assert self.store is not None
        self.store.put_many(vectors)

    def _lookup(
        self,
        texts: Sequence[str],
        get: Callable[[Sequence[str]], dict[str, np.ndarray]],
        put: Callable[[dict[str, np.ndarray]], None],
        kind: str,
        key: Callable[[str], str],
        embed: Callable[[list[str]], list[list[float]]] | None = None,
    ) -> list[list[float]]:
        keys = [key(t) for t in texts]
        found = get(list(dict.fromkeys(keys)))
        missing = {k: t for k, t in zip(keys, texts, strict=True) if k not in found}
        if missing:
            self._counted(kind, len(missing))
            vectors = (embed or self.inner.embed_queries)(list(missing.values()))
            fresh = {k: np.asarray(v, dtype=np.float32) for k, v in zip(missing, vectors, strict=True)}
            put(fresh)
            found.update(fresh)
        return [found[k].tolist() for k in keys]


def default_cache_dir() -> Path:
    """The shared cache's default place (`index.settings.default_vector_cache_dir`)."""
    return default_vector_cache_dir()


def store_for(
    inner: TutorEmbeddings, directory: Path | None = None, prefix_tag: str = "query"
) -> VectorStore:
    """The store of `inner`'s model under `directory` (default `default_cache_dir`): one file per model
    and dimension, each vector keyed by the model's full identity (`TutorEmbeddings.identity`: weights,
    prefixes) and the exact text, so data dirs share vectors and different models never do."""
    name = f"{inner.model_id}-{inner.dimension}"
    where = directory if directory is not None else default_cache_dir()
    return VectorStore(
        where / f"{name}.sqlite", namespace=f"{inner.identity()}/{prefix_tag}", dimension=inner.dimension
    )
