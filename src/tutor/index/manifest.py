"""The index manifest: which revision of each document is live, and where its chunks are.

It is the commit point of every ingest: chunks are written to the store first,
then the manifest is replaced atomically (write, fsync, rename), then stale
chunks are deleted.  A process killed anywhere in between leaves a manifest
that points only at complete revisions, and readers check their hits against it
(`Manifest.is_live`), so they never serve a chunk it does not list.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tutor.errors import IndexStoreError
from tutor.timeutil import utc_now

if TYPE_CHECKING:
    from tutor.config import Settings
    from tutor.index.store import StoredChunk

__all__ = ["DocEntry", "Manifest", "index_dir"]

_VERSION = 1


@dataclass
class DocEntry:
    doc_id: str
    rev: str
    source: str
    title: str
    chunk_ids: list[str]
    ingested_at: str = field(default_factory=utc_now)


@dataclass
class Manifest:
    path: Path
    model_id: str
    collection: str | None = None
    dimension: int | None = None
    generation: int = 0
    docs: dict[str, DocEntry] = field(default_factory=dict)
    # chroma-http: also hands every saved manifest to the server (tutor.index.shared), where replicas read it
    publish: Callable[[str], None] | None = field(default=None, repr=False, compare=False)

    @property
    def live_revs(self) -> list[str]:
        return sorted({d.rev for d in self.docs.values()})

    def is_live(self, chunk: StoredChunk) -> bool:
        """Is this chunk (read back from the store) part of the committed revision of its document?

        O(1) per hit: queries check their k results instead of filtering the whole collection.
        """
        entry = self.docs.get(str(chunk.metadata.get("doc", "")))
        return entry is not None and entry.rev == chunk.metadata.get("rev")

    @property
    def chunk_count(self) -> int:
        return sum(len(d.chunk_ids) for d in self.docs.values())

    @classmethod
    def load(cls, directory: Path, model_id: str) -> Manifest:
        path = directory / "manifest.json"
        if not path.exists():
            return cls(path=path, model_id=model_id)
        return cls.from_json(path.read_text(encoding="utf-8"), path, model_id, str(path))

    @classmethod
    def from_json(cls, text: str, path: Path, model_id: str, where: str) -> Manifest:
        """A manifest from its JSON (`where` names its origin in the error about a corrupt one)."""
        try:
            data = json.loads(text)
            docs = {k: DocEntry(**v) for k, v in data.get("docs", {}).items()}
        except (json.JSONDecodeError, TypeError, KeyError, AttributeError) as exc:
            raise IndexStoreError(
                f"Index manifest {where} is corrupt ({exc}); run `tutor ingest --rebuild`."
            ) from exc
        return cls(
            path=path,
            model_id=data.get("model_id", model_id),
            collection=data.get("collection"),
            dimension=data.get("dimension"),
            generation=int(data.get("generation", 0)),
            docs=docs,
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "version": _VERSION,
            "model_id": self.model_id,
            "collection": self.collection,
            "dimension": self.dimension,
            "generation": self.generation,
            "docs": {k: asdict(v) for k, v in sorted(self.docs.items())},
        }

    def save(self) -> None:
        """Atomically replace the manifest on disk, then publish it (chroma-http) for the replicas."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        payload = self.to_json()
        fd, tmp = tempfile.mkstemp(prefix=".manifest-", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(payload, fh, ensure_ascii=False, indent=1)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        if self.publish is not None:
            self.publish(json.dumps(payload, ensure_ascii=False))


def index_dir(settings: Settings, model_id: str) -> Path:
    """Per store and per model, so two models or two servers never share a manifest."""
    vs = settings.vector_store
    store_key = "local" if vs.kind == "chroma" else f"{vs.kind}-{vs.host}-{vs.port}"
    return settings.data_dir / "index" / store_key / model_id
