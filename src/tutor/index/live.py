"""The live index: the vector store, its manifest and the BM25 index that mirrors it.

One object owns all three so that readers (retrievers, the UI) and the writer
(`run_ingest`) agree on what is live, and so that an ingest made by another
process (the CLI while the UI runs) is picked up on the next read.
"""

from __future__ import annotations

import json
import logging
import shutil
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from tutor.config import Settings
from tutor.errors import IndexStoreError
from tutor.index.bm25 import BM25Index, fingerprint
from tutor.index.embeddings import embedder_model_id
from tutor.index.manifest import Manifest, index_dir
from tutor.index.shared import SharedManifest
from tutor.index.store import ChromaStore, StoredChunk, open_store
from tutor.ingest.lock import WriterLock

__all__ = ["LeverWriter", "LiveIndex"]

log = logging.getLogger(__name__)


class LeverWriter(Protocol):
    """Stores the retrieval levers' data in a BM25 generation (`tutor.index.levers.QueryLevers`)."""

    def store(self, bm25: BM25Index, directory: Path) -> None: ...
    def missing_stored(self, directory: Path | None) -> list[str]: ...


class LiveIndex:
    """Store + manifest + BM25 for one (store, embedder) pair; nothing is opened until first use."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.model_id = embedder_model_id(settings.embeddings)
        self.directory = index_dir(settings, self.model_id)
        self._store: ChromaStore | None = None
        self._store_lock = threading.Lock()  # request threads may ask for the store first at once
        self._manifest: Manifest | None = None
        self._stamp = ""
        self._checked = 0.0  # when the shared manifest's stamp was last asked for (chroma-http)
        self._bm25: BM25Index | None = None
        self._bm25_manifest: Manifest | None = None
        #: the levers whose data every BM25 rebuild stores with it (set by the composition root)
        self.lever_writer: Callable[[], LeverWriter] | None = None

    # --- the store and the manifest ------------------------------------------
    @property
    def store(self) -> ChromaStore:
        if self._store is None:
            with self._store_lock:
                if self._store is None:
                    self._store = open_store(self.settings)
        return self._store

    def manifest(self) -> Manifest:
        self.refresh_if_changed()
        if self._manifest is None:
            shared = self._shared()
            if shared is None:
                self._manifest = Manifest.load(self.directory, self.model_id)
            else:  # the server's manifest is the truth; a local file is not needed (nor read)
                self._manifest, self._stamp = shared.load(self.directory / "manifest.json")
        return self._manifest

    def _shared(self) -> SharedManifest | None:
        """chroma-http: replicas and the ingest job share the manifest kept in the server."""
        vs = self.settings.vector_store
        return (
            SharedManifest(self.store, vs.collection_prefix, self.model_id)
            if vs.kind == "chroma-http"
            else None
        )

    def _current_stamp(self, force: bool = False) -> str:
        """What changes with every ingest: the manifest file's mtime, or the server's stamp (polled)."""
        shared = self._shared()
        if shared is None:
            return _stamp(self.directory / "manifest.json")
        now = time.monotonic()
        if not force and now - self._checked < self.settings.vector_store.refresh_s:
            return self._stamp
        self._checked = now
        return shared.stamp()

    def require(self) -> Manifest:
        """The manifest of a non-empty index, or an error that says to run `tutor ingest`."""
        manifest = self.manifest()
        if not manifest.collection or not manifest.docs:
            shared = self._shared()
            where = (
                f"in the Chroma server {shared.store.where}" if shared else f"under {self.settings.data_dir}"
            )
            raise IndexStoreError(
                f"No index for embedder '{self.model_id}' {where}; run `tutor ingest` first."
            )
        return manifest

    def live_chunks(self) -> list[StoredChunk]:
        manifest = self.manifest()
        return self.store.get_live(manifest.collection, manifest.live_revs) if manifest.collection else []

    def invalidate(self) -> None:
        """After this process's own ingest: re-read the manifest; the store view is current."""
        self._manifest = None
        self._stamp = self._current_stamp(force=True)

    def refresh_if_changed(self) -> None:
        """Pick up an ingest made by another process.

        Embedded Chroma caches its segments per process, so after another process
        wrote to the same directory the client must be reopened, not just re-read.
        """
        current = self._current_stamp()
        if current == self._stamp:
            return
        self._stamp = current
        self._manifest = None
        self._bm25 = None
        if self._store is not None:
            log.info("Index changed on disk; reopening the store")
            self._store.close()
            self._store = None

    # --- BM25 ------------------------------------------------------------------
    def bm25(self) -> BM25Index:
        """The keyword index for the live chunks; rebuilt when it does not match the manifest."""
        manifest = self.require()
        if self._bm25 is not None and self._bm25_manifest is manifest:
            return self._bm25  # per question: no re-hashing while the manifest is unchanged
        want = self._fingerprint(manifest)
        cached = index = self._bm25
        if index is None or index.fingerprint != want:
            self._configure_tokenizer()
            index = BM25Index.load(self.directory / "bm25")
            if index is None or index.fingerprint != want:
                fallback = cached or index
                if fallback is not None and WriterLock(self.settings.data_dir).busy():
                    return (
                        fallback  # an ingest is writing: serve what we have; it saves the new index when done
                    )
                if index is not None:
                    log.warning("BM25 index does not match the live chunks; rebuilding it")
                index = self.rebuild_bm25()
        self._bm25, self._bm25_manifest = index, manifest
        return index

    def loaded_bm25(self, manifest: Manifest) -> BM25Index | None:
        """The BM25 index if this process has it loaded for `manifest` (its records serve dense hits)."""
        index = self._bm25
        return index if index is not None and self._bm25_manifest is manifest else None

    def bm25_is_current(self) -> bool:
        """Cheap check (no model, no jieba): does the stored BM25 cover exactly the live chunks?"""
        try:
            stored = json.loads((self.directory / "bm25" / "chunks.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return False
        return bool(stored.get("fingerprint") == self._fingerprint(self.manifest()))

    def rebuild_bm25(self) -> BM25Index:
        self._configure_tokenizer()
        index = BM25Index.build(self.live_chunks(), self.settings.retrieval.bm25_heading_boost)
        index.save(self.directory / "bm25", extra=lambda tmp: self._store_levers(index, tmp))
        self._bm25 = index
        return index

    def _store_levers(self, index: BM25Index, directory: Path) -> None:
        """The levers' data, into the generation being saved; a failure costs only start-up time."""
        if self.lever_writer is None or not self.settings.retrieval.store_levers:
            return
        t0 = time.perf_counter()
        try:
            self.lever_writer().store(index, directory)
        except Exception as exc:  # noqa: BLE001 - an optimisation: readers compute what is not stored
            log.warning("Retrieval lever data not stored (%s); it is computed at start-up instead", exc)
            shutil.rmtree(directory / "levers", ignore_errors=True)
            return
        log.info("retrieval lever data stored with the index (%.1f s)", time.perf_counter() - t0)

    def levers_missing(self) -> list[str]:
        """The wanted levers the saved BM25 generation has no stored data for (an older index)."""
        if self.lever_writer is None or not self.settings.retrieval.store_levers:
            return []
        return self.lever_writer().missing_stored(self.directory / "bm25")

    def _fingerprint(self, manifest: Manifest) -> str:
        """The live chunk ids and how their BM25 text is built (`retrieval.bm25_heading_boost`)."""
        return fingerprint(
            (cid for d in manifest.docs.values() for cid in d.chunk_ids),
            self.settings.retrieval.bm25_heading_boost,
        )

    def _configure_tokenizer(self) -> None:
        from tutor.index.tokenize import configure_cache_dir

        configure_cache_dir(self.settings.data_dir / "cache" / "jieba")


def _stamp(path: Path) -> str:
    try:
        return str(path.stat().st_mtime_ns)
    except FileNotFoundError:
        return ""
