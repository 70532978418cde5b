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
    bm25_dir = corpus_services.settings.data_dir / "index" / "local" / corpus_services.model_id / "bm25"
    wanted = corpus_services.levers.stored_names()
    assert {"sections", "items", "faq", "sequences", "concepts", "heading_paths"} <= set(wanted)
    assert sorted(p.name for p in (bm25_dir / "levers").iterdir()) == sorted(wanted)
    assert corpus_services.index.levers_missing() == []

    # the same index as an older version wrote it: no lever data in its BM25 generation
    old_data = tmp_path / "old"
    shutil.copytree(corpus_services.settings.data_dir, old_data)
    old_bm25 = old_data / "index" / "local" / corpus_services.model_id / "bm25"
    shutil.rmtree(old_bm25 / "levers")
    settings = corpus_services.settings
    stored = build_services(
        make_settings(settings.data_dir, models_dir, corpus=settings.corpus.model_dump()), embedder=embedder
    )
    old = build_services(
        make_settings(old_data, models_dir, corpus=settings.corpus.model_dump()), embedder=embedder
    )
    questions = _questions()
    with caplog.at_level(logging.INFO, logger="tutor.index.levers"):
        computed = _run(old, questions)
    assert "Re-run `tutor ingest`" in caplog.text
    assert _run(stored, questions) == computed  # loaded from the generation: the same passages, same scores
    assert stored.levers._built["sections"][1].vectors.__class__.__name__ == "memmap"

    # a plain ingest of the unchanged corpus stores what the older index lacked
    assert old.index.levers_missing() == wanted
    report = old.ingest()
    assert not report.failed
    assert old.index.levers_missing() == []
    assert sorted(p.name for p in (old_bm25 / "levers").iterdir()) == sorted(wanted)
