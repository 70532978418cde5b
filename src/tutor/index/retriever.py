"""Retrievers over the live index, exposed through LangChain's `BaseRetriever`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document as LCDocument
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from tutor.index.store import StoredChunk

if TYPE_CHECKING:
    from tutor.services import Services

__all__ = ["DenseRetriever", "to_lc_document", "from_lc_document"]


def to_lc_document(chunk: StoredChunk) -> LCDocument:
    return LCDocument(
        page_content=chunk.text,
        id=chunk.id,
        metadata={**chunk.metadata, "id": chunk.id, "score": chunk.score},
    )


def from_lc_document(doc: LCDocument) -> StoredChunk:
    meta = dict(doc.metadata)
    return StoredChunk(
        id=str(meta.pop("id", doc.id or "")),
        text=doc.page_content,
        metadata=meta,
        score=float(meta.pop("score", 0.0)),
    )


class DenseRetriever(BaseRetriever):
    """Cosine similarity over the configured embedder's vectors in Chroma."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    services: Any
    k: int = 5
    where: dict[str, Any] | None = None

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[LCDocument]:
        svc: Services = self.services
        manifest = svc.require_index()
        vector = svc.embedder.embed_query(query)
        hits = svc.store.query(manifest.collection, vector, self.k, manifest.live_revs, self.where)
        return [to_lc_document(h) for h in hits]
