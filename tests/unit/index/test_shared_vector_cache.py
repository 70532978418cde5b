"""The shared vector cache: one store for every data dir, keyed by the model's identity and the exact
text, safe for several processes, and never a failure when its file is damaged or unwritable."""

from __future__ import annotations

import logging
import multiprocessing
from pathlib import Path

import numpy as np
import pytest

from tests.unit.index.test_vector_cache import HashEmbedder
from tutor.config import load_settings
from tutor.index.embeddings import SentenceTransformerEmbeddings, weights_fingerprint
from tutor.index.vector_cache import CachedEmbeddings, VectorStore, default_cache_dir, store_for


def _cached(cache: Path, inner: HashEmbedder | None = None) -> tuple[CachedEmbeddings, HashEmbedder]:
    inner = inner or HashEmbedder()
    return CachedEmbeddings(inner, store_for(inner, cache)), inner


def test_a_second_data_dir_reads_the_first_ones_vectors(tmp_path: Path) -> None:
    first, _ = _cached(tmp_path / "cache")  # the cache is not under any data dir: both share it
    expected = first.embed_stored_passages(["描述一", "描述二"])
    second, inner = _cached(tmp_path / "cache")
    assert second.embed_stored_passages(["描述二", "描述一"]) == [expected[1], expected[0]]
    assert inner.batches == [] and second.calls == 0


def test_another_model_of_the_same_name_and_size_misses(tmp_path: Path) -> None:
    first, _ = _cached(tmp_path)
    first.embed_stored_passages(["passage"])

    class Retrained(HashEmbedder):  # same model_id and dimension, other weights
        def identity(self) -> str:
            return "hash-8/other-weights"

    second, inner = _cached(tmp_path, Retrained())
    second.embed_stored_passages(["passage"])
    assert inner.batches == [["passage"]]


def test_a_different_text_misses_even_by_whitespace(tmp_path: Path) -> None:
    first, _ = _cached(tmp_path)
    first.embed_stored_passages(["混合检索 把两路结果合并"])
    second, inner = _cached(tmp_path)
    second.embed_stored_passages(
        ["混合检索 把两路结果合并", "混合检索  把两路结果合并", "混合检索 把两路结果合并。"]
    )
    assert inner.batches == [["混合检索  把两路结果合并", "混合检索 把两路结果合并。"]]  # exact text only


def test_query_and_passage_vectors_never_mix(tmp_path: Path) -> None:
    cached, inner = _cached(tmp_path)
    cached.embed_stored(["text"])  # embedded as a query
    cached.embed_stored_passages(["text"])  # and again as a passage: another namespace
    assert len(inner.batches) == 2


def test_the_identity_of_a_model_directory_follows_its_weights(tmp_path: Path) -> None:
    model = tmp_path / "model"
    (model / "1_Pooling").mkdir(parents=True)
    (model / "config.json").write_text('{"hidden": 384}')
    (model / "model.safetensors").write_bytes(b"\0" * 200_000)
    (model / "README.md").write_text("converted on Tuesday")
    before = weights_fingerprint(str(model))
    copy = tmp_path / "copy"  # another data dir's conversion of the same weights
    (copy / "1_Pooling").mkdir(parents=True)
    (copy / "config.json").write_text('{"hidden": 384}')
    (copy / "model.safetensors").write_bytes(b"\0" * 200_000)
    (copy / "model.onnx").write_bytes(b"export")  # derived from the weights: not part of them
    assert weights_fingerprint(str(copy)) == before
    (copy / "model.safetensors").write_bytes(b"\0" * 199_999 + b"\1")  # other weights, same size
    assert weights_fingerprint(str(copy)) != before
    assert weights_fingerprint("BAAI/bge-m3") == "BAAI/bge-m3"  # a hub id is its own name


def test_a_sentence_transformer_identity_names_weights_and_prefixes() -> None:
    model = SentenceTransformerEmbeddings.__new__(SentenceTransformerEmbeddings)
    model._name, model.model_id, model.dimension, model._identity = "some/hub-id", "hub-id", 384, None
    model._query_prefix, model._passage_prefix = "query: ", "passage: "
    plain = model.identity()
    assert "some/hub-id" in plain and "query: " in plain and "passage: " in plain
    model._identity, model._passage_prefix = None, ""
    assert model.identity() != plain


def _write_many(cache: str, start: int) -> None:
    inner = HashEmbedder()
    store = store_for(inner, Path(cache))
    for k in range(start, start + 40):
        store.put_many({f"text {k}": np.asarray(inner._vector(f"text {k}"), dtype=np.float32)})


def test_several_processes_write_one_cache_at_once(tmp_path: Path) -> None:
    ctx = multiprocessing.get_context("fork")
    procs = [ctx.Process(target=_write_many, args=(str(tmp_path), k * 40)) for k in range(4)]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(60)
    assert [p.exitcode for p in procs] == [0, 0, 0, 0]
    reader, inner = _cached(tmp_path)
    texts = [f"text {k}" for k in range(160)]
    assert reader.embed_stored(texts) == [inner._vector(t) for t in texts]
    assert inner.batches == []  # every vector written by one process is read by another


def test_a_corrupt_cache_is_a_warning_and_the_vectors_are_computed(tmp_path: Path, caplog) -> None:
    good, _ = _cached(tmp_path)
    good.embed_stored(["x"])
    assert good.store is not None
    path = good.store.path
    good.store._db.close()  # type: ignore[union-attr]
    path.write_bytes(b"this is not a database" * 100)
    for suffix in ("-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)
    cached, inner = _cached(tmp_path)
    with caplog.at_level(logging.WARNING, logger="tutor.index.vector_cache"):
        assert cached.embed_stored(["x", "y"]) == [inner._vector("x"), inner._vector("y")]
        assert cached.embed_stored_passages(["x"]) == inner.embed_documents(["x"])
    assert "unusable" in caplog.text


def test_a_row_of_the_wrong_size_is_a_miss(tmp_path: Path) -> None:
    cached, inner = _cached(tmp_path)
    assert cached.store is not None
    cached.store.put_many({"x": np.zeros(3, dtype=np.float32)})  # not 8 floats: a damaged row
    assert cached.embed_stored(["x"]) == [inner._vector("x")]
    assert inner.batches == [["x"]]


def test_a_read_only_cache_is_read_and_not_written(tmp_path: Path, caplog) -> None:
    writer, _ = _cached(tmp_path)
    writer.embed_stored(["x"])
    reader = VectorStore(writer.store.path, writer.store.namespace, 8)  # type: ignore[union-attr]
    assert set(reader.get_many(["x"])) == {"x"}
    blocked = VectorStore(tmp_path / "file" / "sub" / "v.sqlite", "ns")
    (tmp_path / "file").write_text("not a directory")
    with caplog.at_level(logging.WARNING, logger="tutor.index.vector_cache"):
        assert blocked.get_many(["x"]) == {} and blocked.count() == 0
        blocked.put_many({"x": np.zeros(8, dtype=np.float32)})
    assert "unusable" in caplog.text


def test_the_cache_dir_is_a_setting_with_an_xdg_default(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_cache_dir() == tmp_path / "xdg" / "tutor" / "vectors"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert default_cache_dir() == Path.home() / ".cache" / "tutor" / "vectors"
    monkeypatch.setenv("TUTOR_EMBEDDINGS__VECTOR_CACHE_DIR", str(tmp_path / "shared"))
    assert load_settings("default").embeddings.vector_cache_dir == tmp_path / "shared"
    inner = HashEmbedder()
    assert store_for(inner, None).path.parent == default_cache_dir()
