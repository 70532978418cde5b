"""The learned ranker: its features, its coefficients file, and the offline training loop."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tutor.errors import ConfigError
from tutor.evaluation.train_ranker import Sample, cross_validate, evaluate, fit, rule_ranker
from tutor.index.ranker import (
    FEATURES,
    RANKER_FORMAT,
    Candidates,
    HeadingVectors,
    LinearRanker,
    feature_rows,
    load_ranker,
    packaged_ranker_path,
)
from tutor.index.rescore import rescore
from tutor.index.store import StoredChunk


def _chunk(cid: str, score: float, headings: list[str] | None = None) -> StoredChunk:
    meta = {"doc": "essay", "headings": json.dumps(headings or ["1. 背景", cid], ensure_ascii=False)}
    return StoredChunk(cid, f"text of {cid}", meta, score)


def _candidates(english: bool = False) -> Candidates:
    a, b, c = _chunk("a", 0.10), _chunk("b", 0.08), _chunk("c", 0.05, ["2. 表格"])
    return Candidates(
        chunks=[a, b, c],
        english=english,
        rrf_k=20,
        lists={
            "dense": [_chunk("b", 0.9), _chunk("a", 0.8)],
            "bm25": [_chunk("a", 12.0), _chunk("c", 3.0)],
            "faq": [_chunk("c", 0.7)],
        },
        block={"a": 0.80, "b": 0.86},
        item={"b": 0.9, "c": 0.7},
        heading={"a": 0.5, "b": 0.6, "c": 0.4},
        under_ref={"b": True},
        kind={"c": True},
    )


def _row(rows: list[list[float]], i: int) -> dict[str, float]:
    return dict(zip(FEATURES, rows[i], strict=True))


def test_features_are_relative_to_the_question_s_candidates() -> None:
    rows = feature_rows(_candidates())
    assert len(rows) == 3 and all(len(r) == len(FEATURES) for r in rows)
    a, b, c = (_row(rows, i) for i in range(3))
    assert a["rrf"] == 1.0 and b["rrf"] == pytest.approx(0.8)
    assert b["rank_dense"] == 1.0 and a["rank_dense"] == pytest.approx(21 / 22) and c["rank_dense"] == 0.0
    assert a["rank_bm25"] == 1.0 and a["rank_bm25_en"] == 0.0  # a Chinese question
    assert b["dense_sim"] == 0.0 and a["dense_sim"] == pytest.approx(-0.1)
    assert c["dense_sim"] == pytest.approx(-0.1)  # not in the dense list: as low as its last
    assert a["bm25_score"] == 1.0 and c["bm25_score"] == pytest.approx(0.25) and b["bm25_score"] == 0.0
    assert b["block"] == 0.0 and a["block"] == pytest.approx(-0.06)
    assert c["no_block"] == 1.0 and c["block"] == 0.0 and a["no_block"] == 0.0
    assert c["item_zh"] == pytest.approx(-0.2) and c["item_en"] == 0.0
    assert c["rank_faq"] == 1.0 and a["rank_faq"] == 0.0
    assert b["under_ref"] == 1.0 and c["kind"] == 1.0 and a["kind"] == 0.0
    assert c["heading"] == pytest.approx(-0.2)


def test_english_questions_get_their_own_bm25_and_item_features() -> None:
    rows = feature_rows(_candidates(english=True))
    a, c = _row(rows, 0), _row(rows, 2)
    assert a["rank_bm25_en"] == 1.0 and c["item_en"] == pytest.approx(-0.2) and c["item_zh"] == 0.0


def test_the_rule_as_a_linear_ranker_orders_as_rescore_does() -> None:
    cands = _candidates()
    referenced = "1. 背景"  # every chunk but c sits under it: under_ref for a and b
    cands.under_ref = {"a": True, "b": True}
    ours = [ch.id for ch in rule_ranker().order(cands)]
    theirs = [ch.id for ch in rescore(list(cands.chunks), dict(cands.block), referenced, 2.0, 0.1)]
    assert ours == theirs


def _ranker_file(tmp_path: Path, **change: object) -> Path:
    n = len(FEATURES)
    payload = {
        "format": RANKER_FORMAT,
        "features": list(FEATURES),
        "weights": [0.5] * n,
        "mean": [0.0] * n,
        "scale": [1.0] * n,
        **change,
    }
    path = tmp_path / "ranker.json"
    path.write_text(json.dumps(payload), encoding="utf-8")
    return path


def test_a_coefficients_file_loads_and_scores(tmp_path: Path) -> None:
    ranker = load_ranker(_ranker_file(tmp_path))
    assert ranker.features == FEATURES and len(ranker.weights) == len(FEATURES)
    assert ranker.scores([[1.0] * len(FEATURES)]) == [pytest.approx(0.5 * len(FEATURES))]


def test_the_packaged_coefficients_match_this_version() -> None:
    ranker = load_ranker(packaged_ranker_path())
    assert ranker.features == FEATURES and any(w != 0 for w in ranker.weights)


def test_a_mismatched_feature_file_is_refused_with_what_to_do(tmp_path: Path) -> None:
    renamed = [*FEATURES[:-1], "heading_words"]
    with pytest.raises(ConfigError, match=r"missing \['kind'\].*unknown \['heading_words'\].*train-ranker"):
        load_ranker(_ranker_file(tmp_path, features=renamed))
    with pytest.raises(ConfigError, match="format 'tutor-ranker/0'"):
        load_ranker(_ranker_file(tmp_path, format="tutor-ranker/0"))
    with pytest.raises(ConfigError, match=f"need {len(FEATURES)} values each"):
        load_ranker(_ranker_file(tmp_path, weights=[1.0]))
    with pytest.raises(ConfigError, match="cannot read it"):
        load_ranker(tmp_path / "absent.json")
    (tmp_path / "bad.json").write_text("{", encoding="utf-8")
    with pytest.raises(ConfigError, match="not JSON"):
        load_ranker(tmp_path / "bad.json")


def test_heading_vectors_embed_each_heading_once() -> None:
    calls: list[list[str]] = []

    def embed(texts: list[str]) -> list[list[float]]:
        calls.append(texts)
        return [[1.0, 0.0] if "背景" in t else [0.0, 1.0] for t in texts]

    view = HeadingVectors(embed)
    chunks = [_chunk("a", 0.1, ["1. 背景"]), _chunk("b", 0.1, ["2. 步骤"])]
    assert view.similarity(chunks, [1.0, 0.0]) == {"a": 1.0, "b": 0.0}
    view.similarity(chunks, [0.0, 1.0])
    assert calls == [["1. 背景", "2. 步骤"]]


def _samples() -> list[Sample]:
    """Questions whose right passage is always the one with the higher `heading` feature, not the top rrf."""
    i = FEATURES.index("heading")
    r = FEATURES.index("rrf")
    out = []
    for q in range(20):
        rows = [[0.0] * len(FEATURES) for _ in range(4)]
        for j, row in enumerate(rows):
            row[r] = 1.0 - 0.1 * j
            row[i] = -0.1 * ((j + q) % 4)
        best = min(range(4), key=lambda j: (j + q) % 4)
        out.append(Sample(f"q{q}", "zh", rows, [j == best for j in range(4)]))
    return out


def test_fitting_learns_the_signal_that_puts_the_right_passage_first() -> None:
    samples = _samples()
    assert evaluate(rule_ranker(), samples)["r@1"] < 0.5
    ranker = fit(samples, 1.0)
    assert isinstance(ranker, LinearRanker)
    assert ranker.weights[FEATURES.index("heading")] > 0
    assert evaluate(ranker, samples)["r@1"] == 1.0
    assert cross_validate(samples, 1.0, blends=(None, 1.0))["None"]["mrr@10"] == 1.0


def test_fitting_without_a_relevant_candidate_says_so() -> None:
    s = Sample("q", "en", [[0.0] * len(FEATURES)], [False])
    with pytest.raises(ValueError, match="nothing to learn"):
        fit([s], 1.0)
