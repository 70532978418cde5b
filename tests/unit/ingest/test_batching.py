"""Ingest batching (issue 17): commit batches, embedding groups across documents, embedding one group ahead."""

from __future__ import annotations

import threading

import pytest

from tutor.ingest.batching import batches, embed_ahead


def test_batches_keep_order_and_size_and_a_big_item_stands_alone() -> None:
    sizes = [3, 2, 70, 1, 1, 64, 5]
    got = list(batches(sizes, lambda n: n, 64))
    assert got == [[3, 2], [70], [1, 1], [64], [5]]
    assert [n for b in got for n in b] == sizes


def test_embed_ahead_returns_every_group_in_order_and_works_one_group_ahead() -> None:
    second_started = threading.Event()

    def embed(texts: list[str]) -> list[list[float]]:
        if texts == ["bb", "cc"]:
            second_started.set()
        return [[float(len(t))] for t in texts]

    out = embed_ahead([["a"], ["bb", "cc"], ["ddd"]], embed)
    assert next(out) == [[1.0]]
    # while the caller still holds the first group, the second is being embedded
    assert second_started.wait(10)
    assert list(out) == [[[2.0], [2.0]], [[3.0]]]


def test_embed_ahead_raises_the_embedders_error_at_its_group() -> None:
    def embed(texts: list[str]) -> list[list[float]]:
        if texts == ["bad"]:
            raise RuntimeError("model failed")
        return [[0.0] for _ in texts]

    out = embed_ahead([["ok"], ["bad"], ["never"]], embed)
    assert next(out) == [[0.0]]
    with pytest.raises(RuntimeError, match="model failed"):
        next(out)
    assert list(embed_ahead([], embed)) == []
