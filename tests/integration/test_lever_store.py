"""An ingest stores the retrieval levers' data in the BM25 generation it writes, and retrieval over it is
identical to retrieval over the same index without that data (computed as before) — on the real corpus."""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

import pytest

from tests.conftest import make_settings
from tutor.services import build_services

pytestmark = [pytest.mark.slow, pytest.mark.integration]
REPO = Path(__file__).resolve().parents[2]


def _questions() -> list[str]:
    """Every 4th question of the own and blind sets: FAQ, next step, English, concepts, resources…"""
    out: list[str] = []
    for name in ("retrieval.jsonl", "retrieval_blind.jsonl"):
        lines = (REPO / "eval" / name).read_text(encoding="utf-8").splitlines()
        out += [json.loads(line)["question"] for line in lines[::4] if line.strip()]
    return out


def _run(svc, questions: list[str]) -> list[list[tuple[str, float]]]:
    retriever = svc.retriever(k=10, mode="hybrid")
    return [[(c.id, c.score) for c in retriever.search(q)] for q in questions]


def test_ingest_stores_lever_data_and_retrieval_is_identical_without_it(
    corpus_services, embedder, models_dir: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # the session index was ingested without lever data (configs/test.yaml: retrieval.store_levers false),
    # as an older version wrote it; two copies: one gets the data as an ingest writes it, one stays as it is
    corpus = corpus_services.settings.corpus.model_dump()
    on = {"store_levers": True}
    services = {}
    for name in ("stored", "old"):
        shutil.copytree(corpus_services.settings.data_dir, tmp_path / name)
        settings = make_settings(tmp_path / name, models_dir, corpus=corpus, retrieval=on)
        services[name] = build_services(settings, embedder=embedder)
    writer = services["stored"]
    bm25_dir = writer.settings.data_dir / "index" / "local" / writer.model_id / "bm25"
    wanted = writer.levers.stored_names()
    assert {"sections", "items", "faq", "sequences", "concepts", "heading_paths"} <= set(wanted)
    assert writer.index.levers_missing() == wanted and not (bm25_dir / "levers").exists()
    # what `tutor ingest` does for an unchanged corpus whose index lacks them (`ingest.pipeline._sync_bm25`);
    # not the whole ingest: the copied manifest names the session's own generated files, which would clash
    writer.index.rebuild_bm25()
    assert writer.index.levers_missing() == []
    assert sorted(p.name for p in (bm25_dir / "levers").iterdir()) == sorted(wanted)
    assert json.loads((bm25_dir / "chunks.json").read_text())["ids"]  # the same generation as the chunks

    # a fresh process's view: the stored generation is loaded, the old one computed (and says so once)
    stored = build_services(writer.settings, embedder=embedder)
    old = services["old"]
    questions = _questions()
    with caplog.at_level(logging.INFO, logger="tutor.index.levers"):
        computed = _run(old, questions)
    assert caplog.text.count("Re-run `tutor ingest`") == 1
    assert _run(stored, questions) == computed  # the same passages in the same order with the same scores
    assert type(stored.levers._built["sections"][1].vectors).__name__ == "memmap"  # read from the index
