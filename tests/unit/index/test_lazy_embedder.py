"""The torch model loads only when something needs it: a saved model with an ONNX export answers
single queries through ONNX Runtime and a Rust tokenizer, so a query-only process never imports torch."""

from __future__ import annotations

import json
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from tokenizers import Tokenizer
from tokenizers.models import WordLevel
from tokenizers.pre_tokenizers import Whitespace
from tokenizers.processors import TemplateProcessing

from tutor.index.embeddings import SentenceTransformerEmbeddings, _SavedModel
from tutor.index.onnx_query import fast_tokenizer, save_tokenizer, tokenizer_file


def _saved_model(root: Path, dimension: int = 384) -> Path:
    """The metadata files a saved sentence-transformers model carries (no weights: nothing may load them)."""
    model = root / "model"
    (model / "1_Pooling").mkdir(parents=True)
    prompts = {"prompts": {"query": "query: ", "passage": "passage: "}}
    (model / "config_sentence_transformers.json").write_text(json.dumps(prompts))
    (model / "sentence_bert_config.json").write_text(json.dumps({"max_seq_length": 512}))
    (model / "1_Pooling" / "config.json").write_text(json.dumps({"word_embedding_dimension": dimension}))
    return model


def test_an_exported_model_is_described_without_loading_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setitem(sys.modules, "sentence_transformers", None)  # any load attempt would raise
    model = _saved_model(tmp_path)
    emb = SentenceTransformerEmbeddings(str(model), "m", onnx_queries_from=model)
    assert (emb.dimension, emb._query_prefix, emb._passage_prefix) == (384, "query: ", "passage: ")
    assert not emb.model_loaded


def test_without_the_metadata_the_model_loads_at_once(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from tutor.errors import EmbeddingError

    monkeypatch.setitem(sys.modules, "sentence_transformers", None)
    assert _SavedModel.read(tmp_path) is None
    with pytest.raises(EmbeddingError, match="sentence-transformers is not installed"):
        SentenceTransformerEmbeddings(str(tmp_path), "m", onnx_queries_from=tmp_path)


def test_the_model_loads_once_for_threads_that_need_it_together(tmp_path: Path) -> None:
    model = _saved_model(tmp_path)
    loaded: list[int] = []
    hooked: list[str] = []
    emb = SentenceTransformerEmbeddings(
        str(model), "m", onnx_queries_from=model, on_load=lambda: hooked.append("threads")
    )

    class Model:
        tokenizer = None

        def encode(self, texts: list[str], **_: Any) -> Any:
            import numpy as np

            return np.ones((len(texts), 2))

    def load() -> Any:
        loaded.append(threading.get_ident())
        time.sleep(0.05)  # the window in which a second thread would load another copy
        emb._on_load and emb._on_load()
        return Model()

    emb._load = load  # type: ignore[method-assign]
    threads = [threading.Thread(target=emb.embed_documents, args=(["a", "b"],)) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(loaded) == 1 and hooked == ["threads"] and emb.model_loaded


class _Transformers:
    """Stands in for a transformers tokenizer: what `save_tokenizer` reads is its Rust backend."""

    def __init__(self, backend: Tokenizer) -> None:
        self.backend_tokenizer = backend


def _rust_tokenizer() -> Tokenizer:
    vocab = {"<s>": 0, "<pad>": 1, "</s>": 2, "<unk>": 3, "query": 4, "rag": 5, "is": 6, "what": 7, ":": 8}
    tok = Tokenizer(WordLevel(vocab, unk_token="<unk>"))
    tok.pre_tokenizer = Whitespace()
    tok.post_processor = TemplateProcessing(single="<s> $A </s>", special_tokens=[("<s>", 0), ("</s>", 2)])
    return tok


def test_the_query_tokenizer_is_saved_beside_the_export_and_read_without_torch(tmp_path: Path) -> None:
    model = tmp_path / "model"
    assert save_tokenizer(model, _Transformers(_rust_tokenizer())) is None  # no export: nowhere to save
    tokenizer_file(model).parent.mkdir()
    assert fast_tokenizer(model, 4) is None  # not saved yet: the caller uses the model's tokenizer
    assert save_tokenizer(model, _Transformers(_rust_tokenizer())) == tokenizer_file(model)
    fast = fast_tokenizer(model, max_length=4)
    assert fast is not None
    assert fast.ids("query: what is rag") == [0, 4, 8, 2]  # cut to the model's window, specials kept
    assert fast.ids("query: what is rag", truncate=False) == [0, 4, 8, 7, 6, 5, 2]
    assert fast.ids("what unknown") == [0, 7, 3, 2]


def test_tokenizer_length_uses_the_saved_tokenizer_without_loading_the_model(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setitem(sys.modules, "sentence_transformers", None)
    model = _saved_model(tmp_path)
    tokenizer_file(model).parent.mkdir()
    save_tokenizer(model, _Transformers(_rust_tokenizer()))
    emb = SentenceTransformerEmbeddings(str(model), "m", onnx_queries_from=model)
    assert emb.tokenizer_length("what is rag " * 300) == 902  # never truncated: it counts for a budget
    assert not emb.model_loaded
