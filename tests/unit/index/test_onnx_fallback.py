"""The ONNX query embedder is optional: without onnxruntime (or onnx) queries embed with torch."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import pytest

from tutor.index.onnx_query import load_query_encoder, onnx_file, prepare_export


def test_without_onnxruntime_queries_fall_back_to_torch_and_say_so(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # import onnxruntime -> ImportError
    with caplog.at_level(logging.INFO, logger="tutor.index.onnx_query"):
        assert load_query_encoder(tmp_path / "model", tokenize=lambda text: [0]) is None
    assert "onnxruntime is not installed" in caplog.text


def test_without_onnx_the_export_is_skipped_before_any_tracing(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    monkeypatch.setitem(sys.modules, "onnx", None)
    with caplog.at_level(logging.WARNING, logger="tutor.index.onnx_query"):
        assert load_query_encoder(tmp_path / "model", tokenize=lambda text: [0]) is None
    assert "needs the 'onnx' package" in caplog.text
    assert not onnx_file(tmp_path / "model").exists()
    assert onnx_file(tmp_path / "model") == tmp_path / "model.onnx" / "model.onnx"


@pytest.mark.parametrize("missing", ["onnxruntime", "onnx"])
def test_prepare_export_says_torch_when_onnx_cannot_be_had(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, missing: str
) -> None:
    monkeypatch.setitem(sys.modules, missing, None)
    assert prepare_export(tmp_path / "model") is None
    assert not (tmp_path / "model.onnx").exists()
