"""Saved per-question runs and the question-by-question comparison of two of them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tutor.errors import EvalDatasetError
from tutor.evaluation.compare import compare_runs, load_run, save_run
from tutor.evaluation.dataset import EvalQuestion, Gold
from tutor.evaluation.runner import ModeResult, QuestionResult
from tutor.index.store import StoredChunk


def _q(qid: str, lang: str = "zh") -> EvalQuestion:
    return EvalQuestion(
        id=qid, question=f"问题 {qid}", lang=lang, kind="fact", gold=[Gold(doc="d", section="s")]
    )


def _result(ranks: dict[str, int | None]) -> dict[str, ModeResult]:
    mode = ModeResult("hybrid", [1, 5])
    for qid, rank in ranks.items():
        flags = [i + 1 == rank for i in range(10)]
        hits = [
            StoredChunk(f"{qid}-{i}", "t", {"doc": "d", "headings": json.dumps(["s" if f else "x"])})
            for i, f in enumerate(flags)
        ]
        mode.results.append(QuestionResult(_q(qid), flags, hits, 1, 1.0))
    return {"hybrid": mode}


def test_a_change_is_judged_by_which_questions_it_fixed_and_broke(tmp_path: Path) -> None:
    a = save_run(
        tmp_path / "a.json",
        Path("set.jsonl"),
        _result({"q1": None, "q2": 1, "q3": 4, "q4": 2, "q5": 3, "q6": 9}),
    )
    b = save_run(
        tmp_path / "b.json",
        Path("set.jsonl"),
        _result({"q1": 2, "q2": 7, "q3": 1, "q4": 2, "q5": 4, "q7": 1}),
        {"prf_terms": 10},
    )
    assert load_run(b)["settings"] == {"prf_terms": 10}
    [comp] = compare_runs(load_run(a), load_run(b))
    assert comp.counts() == {"fixed": 1, "broken": 1, "better": 1, "worse": 1, "same": 1}
    assert [d.id for d in comp.by_outcome("fixed")] == ["q1"] and [
        d.id for d in comp.by_outcome("broken")
    ] == ["q2"]
    assert comp.only_a == ["q6"] and comp.only_b == ["q7"]
    assert comp.metrics_a["R@5"] == pytest.approx(4 / 6, abs=1e-4) and comp.metrics_b["R@5"] == pytest.approx(
        5 / 6, abs=1e-4
    )
    changed = {row["id"]: row["outcome"] for row in comp.to_json()["changed"]}
    assert changed == {"q1": "fixed", "q2": "broken", "q3": "better", "q5": "worse"}


def test_bad_saved_runs_and_missing_modes_are_clear_errors(tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    report.write_text('{"dataset": "x", "modes": {}}', encoding="utf-8")
    with pytest.raises(EvalDatasetError, match="report.json: not a saved retrieval run"):
        load_run(report)
    with pytest.raises(EvalDatasetError, match="cannot read"):
        load_run(tmp_path / "missing.json")
    a = load_run(save_run(tmp_path / "a.json", Path("s"), _result({"q1": 1})))
    with pytest.raises(EvalDatasetError, match="dense"):
        compare_runs(a, a, ["dense"])


def test_cli_compare_prints_counts_and_json(tmp_path: Path) -> None:
    from tutor.cli import app

    save_run(tmp_path / "a.json", Path("s"), _result({"q1": None, "q2": 1}))
    save_run(tmp_path / "b.json", Path("s"), _result({"q1": 1, "q2": 1}))
    runner = CliRunner()
    out = runner.invoke(
        app, ["eval", "retrieval", "--compare", str(tmp_path / "a.json"), str(tmp_path / "b.json")]
    )
    assert out.exit_code == 0, out.output
    assert "fixed 1 · broken 0" in " ".join(out.output.split()) and "q1" in out.output
    js = runner.invoke(
        app, ["eval", "retrieval", "--compare", str(tmp_path / "a.json"), str(tmp_path / "b.json"), "--json"]
    )
    assert json.loads(js.output)[0]["counts"]["fixed"] == 1
    bad = runner.invoke(
        app, ["eval", "retrieval", "--compare", str(tmp_path / "a.json"), str(tmp_path / "nope.json")]
    )
    assert bad.exit_code != 0 and "nope.json" in bad.output
