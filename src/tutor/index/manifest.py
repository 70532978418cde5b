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
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

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
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            docs = {k: DocEntry(**v) for k, v in data.get("docs", {}).items()}
        except (json.JSONDecodeError, TypeError, KeyError) as exc:
            raise IndexStoreError(
                f"Index manifest {path} is corrupt ({exc}); run `tutor ingest --rebuild`."
            ) from exc
        return cls(
            path=path,
            model_id=data.get("model_id", model_id),
            collection=data.get("collection"),
            dimension=data.get("dimension"),
            generation=int(data.get("generation", 0)),
            docs=docs,
        )

    def save(self) -> None:
        """Atomically replace the manifest on disk."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        payload = {
            "version": _VERSION,
            "model_id": self.model_id,
            "collection": self.collection,
            "dimension": self.dimension,
            "generation": self.generation,
            "docs": {k: asdict(v) for k, v in sorted(self.docs.items())},
        }
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


def index_dir(settings: Settings, model_id: str) -> Path:
    """Per store and per model, so two models or two servers never share a manifest."""
    vs = settings.vector_store
    store_key = "local" if vs.kind == "chroma" else f"{vs.kind}-{vs.host}-{vs.port}"
    return settings.data_dir / "index" / store_key / model_id
