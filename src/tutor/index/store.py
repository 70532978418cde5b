"""Chroma as the vector store: on disk under the data dir, or a `chroma run` server.

The store knows nothing about documents or revisions; the manifest
(`tutor.index.manifest`) decides which chunks are live.  Queries do not filter on
the revision: the collection holds only live chunks except between an ingest's
commit and its cleanup (or after a crash there), so a query runs unfiltered, checks
its k hits against the manifest (`is_live`) and only when one is not live asks again
with the revision filter.  A half-finished write is never served, and the filter
that made Chroma 10-75x slower (issue 17) is off the common path.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tutor.errors import IndexStoreError
from tutor.index.exact import ExactView, UnsupportedFilter
from tutor.security.injection import injection_metadata

if TYPE_CHECKING:
    from tutor.config import Settings
    from tutor.ingest.chunking import Chunk

__all__ = ["ChromaStore", "StoredChunk", "collection_name", "open_store", "STORE_FACTORIES"]

log = logging.getLogger(__name__)

# chunk ids -> (text, metadata) of each, or None where unknown (the BM25 records: BM25Index.lookup)
Lookup = Callable[[Sequence[str]], list[tuple[str, dict[str, Any]] | None]]


@dataclass
class StoredChunk:
    """A chunk as read back from the store, with a similarity score when it came from a query."""

    id: str
    text: str
    metadata: dict[str, Any]
    score: float = 0.0

    @property
    def doc(self) -> str:
        return str(self.metadata.get("doc", ""))

    @property
    def headings(self) -> list[str]:
        return list(json.loads(self.metadata.get("headings", "[]")))

    @property
    def links(self) -> list[dict[str, str]]:
        return list(json.loads(self.metadata.get("links", "[]")))

    @property
    def lines(self) -> list[int]:
        return [int(self.metadata.get("line_start", 0)), int(self.metadata.get("line_end", 0))]

    @property
    def title(self) -> str:
        return str(self.metadata.get("title", ""))


def collection_name(prefix: str, model_id: str, dimension: int, generation: int = 0) -> str:
    """'<prefix>-<model>-<dim>[-g<n>]', trimmed to what Chroma accepts."""
    raw = f"{prefix}-{model_id}-{dimension}" + (f"-g{generation}" if generation else "")
    name = re.sub(r"[^A-Za-z0-9._-]", "-", raw).strip("-._")
    return name[:63]


def chunk_metadata(chunk: Chunk) -> dict[str, Any]:
    """Flatten what a citation needs into Chroma's scalar metadata."""
    return {
        "doc": chunk.doc_id,
        "title": chunk.title,
        "headings": json.dumps(chunk.headings, ensure_ascii=False),
        "heading_path": chunk.heading_path,
        "line_start": chunk.line_start,
        "line_end": chunk.line_end,
        "links": json.dumps(
            [{"url": link.url, "text": link.text} for link in chunk.links], ensure_ascii=False
        ),
        "source": chunk.source,
        "source_url": chunk.source_url or "",
        "stage": -1 if chunk.stage is None else chunk.stage,
        "rev": chunk.rev,
        "chunk_hash": chunk.text_hash,
        "index": chunk.index,
        **{f"page_{k}": v for k, v in chunk.extra.items()},
        **injection_metadata(chunk.context_text()),  # flagged at ingest: see tutor.security.injection
    }


class ChromaStore:
    """One Chroma client; collections are opened by name."""

    def __init__(self, client: Any, where: str, embedded: bool = False, exact_max: int = 0) -> None:
        self._client = client
        self.where = where
        self._embedded = embedded
        self._handles: dict[str, Any] = {}  # name -> collection: get_collection is a round trip per call
        self.exact_max = exact_max  # collections this small are searched exactly (tutor.index.exact)
        self._exact: dict[str, tuple[frozenset[str], ExactView | None]] = {}  # name -> (live revs, view)
        self._exact_lock = threading.Lock()

    def close(self) -> None:
        """Forget this process's cached view of an embedded store (another process wrote to it)."""
        self._handles = {}
        self._exact = {}
        if self._embedded:
            from chromadb.api.client import SharedSystemClient

            SharedSystemClient.clear_system_cache()

    def _collection(self, name: str, create: bool = False) -> Any:
        try:
            if create:
                return self._client.get_or_create_collection(
                    name, configuration={"hnsw": {"space": "cosine"}}, embedding_function=None
                )
            return self._client.get_collection(name, embedding_function=None)
        except Exception as exc:
            if not create and "does not exist" in str(exc).lower():
                raise IndexStoreError(
                    f"Collection '{name}' is missing from {self.where}; run `tutor ingest --rebuild`."
                ) from exc
            raise IndexStoreError(f"Chroma at {self.where} failed: {exc}") from exc

    def registry(self, name: str) -> Any:
        """A small collection of the tutor's own records (the shared manifests: tutor.index.shared)."""
        return self._collection(name, create=True)

    def collection_names(self) -> list[str]:
        return [c if isinstance(c, str) else c.name for c in self._client.list_collections()]

    def upsert(self, name: str, chunks: Sequence[Chunk], embeddings: Sequence[Sequence[float]]) -> None:
        if not chunks:
            return
        col = self._collection(name, create=True)
        batch = 256
        for start in range(0, len(chunks), batch):
            part = chunks[start : start + batch]
            col.upsert(
                ids=[c.id for c in part],
                embeddings=[list(e) for e in embeddings[start : start + batch]],
                documents=[c.text for c in part],
                metadatas=[chunk_metadata(c) for c in part],
            )

    def upsert_stored(
        self, name: str, chunks: Sequence[StoredChunk], embeddings: Sequence[Sequence[float]]
    ) -> None:
        """Write already-flattened chunks (baselines and tools that bypass the chunker)."""
        col = self._collection(name, create=True)
        for start in range(0, len(chunks), 256):
            part = chunks[start : start + 256]
            col.upsert(
                ids=[c.id for c in part],
                embeddings=[list(e) for e in embeddings[start : start + 256]],
                documents=[c.text for c in part],
                metadatas=[c.metadata for c in part],
            )

    def delete(self, name: str, ids: Sequence[str]) -> None:
        if ids:
            self._collection(name, create=True).delete(ids=list(ids))

    def ids_not_in(self, name: str, live_revs: Sequence[str]) -> list[str]:
        """Chunk ids whose revision is not live: leftovers of an interrupted write."""
        col = self._collection(name, create=True)
        where = {"rev": {"$nin": list(live_revs)}} if live_revs else None
        return list(col.get(where=where, include=[])["ids"])

    def live_ids(self, name: str, live_revs: Sequence[str]) -> list[str]:
        if not live_revs:
            return []
        got = self._collection(name, create=True).get(where={"rev": {"$in": list(live_revs)}}, include=[])
        return list(got["ids"])

    def drop(self, name: str) -> None:
        self._handles.pop(name, None)
        self._exact.pop(name, None)
        try:
            self._client.delete_collection(name)
        except Exception as exc:  # noqa: BLE001 - already gone is fine; chromadb raises several types
            log.debug("drop %s: %s", name, exc)

    def get_live(self, name: str, live_revs: Sequence[str]) -> list[StoredChunk]:
        """Every live chunk (for keyword indexes and consistency checks)."""
        if not live_revs:
            return []
        got = self._collection(name).get(
            where={"rev": {"$in": list(live_revs)}}, include=["documents", "metadatas"]
        )
        return [
            StoredChunk(id=i, text=d or "", metadata=dict(m or {}))
            for i, d, m in zip(got["ids"], got["documents"], got["metadatas"], strict=False)
        ]

    def query(
        self,
        name: str,
        embedding: Sequence[float],
        k: int,
        live_revs: Sequence[str],
        where: dict[str, Any] | None = None,
        is_live: Callable[[StoredChunk], bool] | None = None,
        lookup: Lookup | None = None,
    ) -> list[StoredChunk]:
        """Top-k live chunks by cosine similarity (score = 1 - cosine distance).

        `lookup` (ids -> (text, metadata) or None each) supplies the hits' texts and metadata from the
        caller's copy (the BM25 records): Chroma then returns ids and distances only, and reading
        documents and metadata back from its SQLite was most of a query's time (issue 17).  Ids it
        does not know are read from Chroma.

        Without `is_live` every query is filtered to `live_revs` (slow on big collections).  With it,
        the query runs without the revision filter and falls back to it only when a hit is not live.
        Exclusions in `where` ({"key": {"$ne": v}}, e.g. the resource cards) are applied to an
        over-fetched result the same way, since a `$ne` filter makes Chroma scan nearly every row.
        A collection of at most `exact_max` rows is searched exactly in memory (`tutor.index.exact`).
        """
        if not live_revs:
            return []
        if (view := self._exact_view(name, live_revs)) is not None:
            try:
                found = (
                    StoredChunk(view.ids[i], view.texts[i], dict(view.metadata[i]), s)
                    for i, s in view.search(embedding, where)
                )
                return list(islice((h for h in found if is_live is None or is_live(h)), k))
            except UnsupportedFilter as exc:
                log.debug("exact search cannot evaluate %s (%s); asking Chroma", where, exc)
        if is_live is None:
            return self._query(name, embedding, k, _where([{"rev": {"$in": list(live_revs)}}], where), lookup)
        keep, exclude = _split_where(where)
        fetch = k * 2 if exclude else k
        for attempt in (fetch, fetch * 4):  # the live hits among the top n are the top live hits
            hits = self._query(name, embedding, attempt, _where([], keep), lookup)
            kept = [h for h in hits if is_live(h) and not _excluded(h, exclude)]
            if len(kept) >= k or len(hits) < attempt:  # enough, or the collection has no more
                return kept[:k]
        log.info("dense query fell back to the revision filter (stale chunks or exclusions crowd the top)")
        return [
            h
            for h in self._query(
                name, embedding, k * 2, _where([{"rev": {"$in": list(live_revs)}}], where), lookup
            )
            if is_live(h)
        ][:k]

    def _exact_view(self, name: str, live_revs: Sequence[str]) -> ExactView | None:
        """The live rows of a small collection, read once per set of live revisions; None when too big."""
        if self.exact_max <= 0:
            return None
        key = frozenset(live_revs)
        with self._exact_lock:
            held = self._exact.get(name)
            if held is not None and held[0] == key:
                return held[1]
            view = None
            if int(self._handle(name).count()) <= self.exact_max:
                got = self._handle(name).get(
                    where={"rev": {"$in": sorted(key)}}, include=["embeddings", "documents", "metadatas"]
                )
                view = ExactView.from_rows(got["ids"], got["embeddings"], got["documents"], got["metadatas"])
                log.info("exact dense search over %d live vectors of %s", len(view), name)
            self._exact[name] = (key, view)
            return view

    def _handle(self, name: str) -> Any:
        handle = self._handles.get(name)
        if handle is None:
            handle = self._handles[name] = self._collection(name)
        return handle

    def _query(
        self,
        name: str,
        embedding: Sequence[float],
        k: int,
        flt: dict[str, Any] | None,
        lookup: Lookup | None = None,
    ) -> list[StoredChunk]:
        include = ["distances"] if lookup is not None else ["documents", "metadatas", "distances"]
        kwargs = {"query_embeddings": [list(embedding)], "n_results": k, "where": flt, "include": include}
        try:
            res = self._handle(name).query(**kwargs)
        except Exception as exc:  # noqa: BLE001 - a cached handle may outlive its collection (rebuilt)
            log.debug("query on the cached handle of %s failed (%s); reopening it", name, exc)
            self._handles.pop(name, None)
            res = self._handle(name).query(**kwargs)
        ids = [str(i) for i in res["ids"][0]]
        scores = [1.0 - float(d) for d in res["distances"][0]]
        if lookup is None:
            rows: list[tuple[str, dict[str, Any]] | None] = [
                (d or "", dict(m or {}))
                for d, m in zip(res["documents"][0], res["metadatas"][0], strict=False)
            ]
        else:
            rows = self._fill(name, ids, lookup(ids))
        return [
            StoredChunk(id=i, text=row[0], metadata=row[1], score=score)
            for i, row, score in zip(ids, rows, scores, strict=False)
            if row is not None
        ]

    def _fill(
        self, name: str, ids: list[str], rows: list[tuple[str, dict[str, Any]] | None]
    ) -> list[tuple[str, dict[str, Any]] | None]:
        """The rows the lookup did not know, read from Chroma (a hit written after the BM25 index)."""
        missing = [i for i, row in zip(ids, rows, strict=True) if row is None]
        if not missing:
            return rows
        got = self._handle(name).get(ids=missing, include=["documents", "metadatas"])
        found = {
            str(i): (d or "", dict(m or {}))
            for i, d, m in zip(got["ids"], got["documents"], got["metadatas"], strict=False)
        }
        return [row if row is not None else found.get(i) for i, row in zip(ids, rows, strict=True)]


def _split_where(where: dict[str, Any] | None) -> tuple[dict[str, Any], dict[str, Any]]:
    """(clauses Chroma filters cheaply: equality and the like, exclusions applied after the query)."""
    keep: dict[str, Any] = {}
    exclude: dict[str, Any] = {}
    for key, value in (where or {}).items():
        if isinstance(value, dict) and set(value) == {"$ne"}:
            exclude[key] = value["$ne"]
        else:
            keep[key] = value
    return keep, exclude


def _excluded(hit: StoredChunk, exclude: dict[str, Any]) -> bool:
    return any(hit.metadata.get(key) == value for key, value in exclude.items())


def _where(clauses: list[dict[str, Any]], where: dict[str, Any] | None) -> dict[str, Any] | None:
    """Chroma's filter: one clause as is, several under $and, none as None."""
    clauses = clauses + [{key: value} for key, value in (where or {}).items()]
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


#: chromadb registers each client's system in a class-level dict without a lock; two threads opening
#: the same path at once (a worker's warm-up and its first request) end in a KeyError inside chromadb
_OPEN_LOCK = threading.Lock()


def _persistent(settings: Settings) -> ChromaStore:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    path: Path = settings.data_dir / "chroma"
    path.mkdir(parents=True, exist_ok=True)
    with _OPEN_LOCK:
        client = chromadb.PersistentClient(
            path=str(path), settings=ChromaSettings(anonymized_telemetry=False)
        )
    return ChromaStore(
        client, where=str(path), embedded=True, exact_max=settings.vector_store.exact_search_max
    )


def _http(settings: Settings) -> ChromaStore:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    vs = settings.vector_store
    where = f"http://{vs.host}:{vs.port}"
    try:
        client = chromadb.HttpClient(
            host=vs.host, port=vs.port, settings=ChromaSettings(anonymized_telemetry=False)
        )
        client.heartbeat()
    except Exception as exc:
        raise IndexStoreError(
            f"Cannot reach the Chroma server at {where} ({exc.__class__.__name__}); start it with "
            f"`chroma run --path <dir> --port {vs.port}` or use vector_store.kind=chroma."
        ) from exc
    return ChromaStore(client, where=where, exact_max=vs.exact_search_max)


STORE_FACTORIES: dict[str, Callable[[Settings], ChromaStore]] = {
    "chroma": _persistent,
    "chroma-http": _http,
}


def open_store(settings: Settings) -> ChromaStore:
    """Open the configured vector store (chromadb is imported here, not at start-up)."""
    return STORE_FACTORIES[settings.vector_store.kind](settings)
