"""Optional cross-encoder reranking (sentence-transformers `CrossEncoder`)."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from tutor.errors import EmbeddingError
from tutor.index.store import StoredChunk

__all__ = ["CrossEncoderReranker"]

log = logging.getLogger(__name__)


class CrossEncoderReranker:
    """Scores (question, passage) pairs jointly; slower than RRF, often more precise."""

    def __init__(self, model: str, device: str = "cpu") -> None:
        try:
            from sentence_transformers import CrossEncoder

            self._model = CrossEncoder(model, device=device)
        except Exception as exc:
            raise EmbeddingError(
                f"Cannot load reranker '{model}': {exc}. Use a local CrossEncoder directory, a hub id "
                "with network access, or set retrieval.reranker to null."
            ) from exc
        self.name = model

    def rerank(self, query: str, chunks: Sequence[StoredChunk]) -> list[StoredChunk]:
        if not chunks:
            return []
        scores = self._model.predict([(query, c.text) for c in chunks], show_progress_bar=False)
        ranked = sorted(zip(chunks, scores, strict=False), key=lambda pair: -float(pair[1]))
        out = []
        for chunk, score in ranked:
            chunk.metadata["fused_score"] = chunk.score
            chunk.metadata["rerank_score"] = float(score)
            chunk.score = float(score)
            out.append(chunk)
        return out
