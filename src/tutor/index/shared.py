"""The index manifest kept in the Chroma server, so replicas share one index and need no local files.

With `vector_store.kind: chroma-http` the ingest job publishes every manifest it commits into a
small registry collection (`<prefix>-manifests`, one record per embedding model: the manifest JSON
as the document, a fresh `stamp` in the metadata). A replica reads the manifest from there, builds
its BM25 from the collection's documents (the fingerprint comes from that manifest) and asks for
the stamp every `vector_store.refresh_s` seconds to pick up a new ingest.
"""

from __future__ import annotations

import logging
import uuid
from pathlib import Path

from tutor.errors import IndexStoreError
from tutor.index.manifest import Manifest
from tutor.index.store import ChromaStore
from tutor.timeutil import utc_now

__all__ = ["SharedManifest"]

log = logging.getLogger(__name__)


class SharedManifest:
    """One model's manifest record in the server's registry collection."""

    def __init__(self, store: ChromaStore, prefix: str, model_id: str) -> None:
        self.store = store
        self.name = f"{prefix}-manifests"
        self.key = model_id

    def _get(self, include: list[str]) -> dict[str, object]:
        try:
            got: dict[str, object] = self.store.registry(self.name).get(ids=[self.key], include=include)
        except IndexStoreError:
            raise
        except Exception as exc:  # noqa: BLE001 - chromadb raises several types over HTTP
            raise IndexStoreError(f"Cannot read the index manifest from {self.store.where}: {exc}") from exc
        return got

    def stamp(self) -> str:
        """Changes with every published manifest ('' before the first ingest)."""
        metas = self._get(["metadatas"]).get("metadatas") or []
        return str((metas[0] or {}).get("stamp", "")) if metas else ""  # type: ignore[index]

    def load(self, path: Path) -> tuple[Manifest, str]:
        """The published manifest (empty before the first ingest) and its stamp; saving it publishes."""
        got = self._get(["documents", "metadatas"])
        docs, metas = got.get("documents") or [], got.get("metadatas") or []
        if docs:
            where = f"{self.store.where} ({self.name}/{self.key})"
            manifest = Manifest.from_json(str(docs[0]), path, self.key, where)  # type: ignore[index]
            stamp = str((metas[0] or {}).get("stamp", ""))  # type: ignore[index]
        else:
            manifest, stamp = Manifest(path=path, model_id=self.key), ""
        manifest.publish = self.publish
        return manifest, stamp

    def publish(self, text: str) -> None:
        """Replace the record; the new stamp tells every replica to reload."""
        stamp = uuid.uuid4().hex
        self.store.registry(self.name).upsert(
            ids=[self.key],
            documents=[text],
            metadatas=[{"stamp": stamp, "saved_at": utc_now()}],
            embeddings=[[0.0]],  # Chroma wants a vector per record; this collection is never queried
        )
        log.info("published the index manifest for %s to %s (stamp %s)", self.key, self.store.where, stamp)
