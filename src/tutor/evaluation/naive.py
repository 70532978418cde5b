"""The baseline every report compares against: what a typical LangChain tutorial builds.

RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200) over each
document's text, dense-only search with the same embedder, in its own collection.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from pathlib import Path

from tutor.index.embeddings import TutorEmbeddings
from tutor.index.live import LiveIndex
from tutor.index.store import StoredChunk

__all__ = ["NaiveBaseline"]

log = logging.getLogger(__name__)


class NaiveBaseline:
    def __init__(self, index: LiveIndex, embedder: Callable[[], TutorEmbeddings], max_bytes: int) -> None:
        self.index = index
        self.embedder = embedder
        self.max_bytes = max_bytes
        self.chunks: list[StoredChunk] = []
        self._collection: str | None = None

    def prepare(self) -> None:
        """Build (or reuse) the baseline collection for the currently indexed documents."""
        from langchain_text_splitters import RecursiveCharacterTextSplitter

        from tutor.ingest.loaders import load_document

        manifest = self.index.require()
        fp = hashlib.sha256("".join(sorted(manifest.live_revs)).encode()).hexdigest()[:12]
        emb = self.embedder()
        name = f"naive-{emb.model_id}-{emb.dimension}"[:50] + f"-{fp}"
        splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200, add_start_index=True)
        chunks: list[StoredChunk] = []
        for entry in manifest.docs.values():
            doc = load_document(Path(entry.source), self.max_bytes)
            for n, piece in enumerate(splitter.create_documents([doc.text])):
                start = piece.metadata["start_index"]
                line = doc.text.count("\n", 0, start) + 1 + doc.line_offset
                chunks.append(
                    StoredChunk(
                        id=f"{entry.doc_id}:{n:04d}",
                        text=piece.page_content,
                        metadata={
                            "doc": entry.doc_id,
                            "title": entry.title,
                            "headings": "[]",
                            "line_start": line,
                            "line_end": line + piece.page_content.count("\n"),
                            "links": "[]",
                            "rev": fp,
                        },
                    )
                )
        self.chunks = chunks
        self._collection = name
        store = self.index.store
        if name in store.collection_names() and len(store.live_ids(name, [fp])) == len(chunks):
            return
        log.info("Building the naive baseline collection %s (%d chunks)", name, len(chunks))
        for old in store.collection_names():
            if old.startswith("naive-"):
                store.drop(old)
        vectors = emb.embed_documents([c.text for c in chunks])
        store.upsert_stored(name, chunks, vectors)

    def search(self, query: str, k: int) -> list[StoredChunk]:
        if self._collection is None:
            self.prepare()
        assert self._collection is not None
        vector = self.embedder().embed_query(query)
        return self.index.store.query(self._collection, vector, k, [self.chunks[0].metadata["rev"]])
