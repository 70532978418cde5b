"""Per-question results of a retrieval eval run, saved as JSON, and the win/loss between two runs.

A change is judged by which questions it fixed and which it broke, not only by the
mean: two runs with the same Recall@5 can differ on a dozen questions.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tutor.errors import EvalDatasetError

if TYPE_CHECKING:
    from tutor.evaluation.runner import ModeResult

__all__ = ["RUN_FORMAT", "Comparison", "QuestionDelta", "compare_runs", "load_run", "run_payload", "save_run"]

#: bump when the saved layout changes; `load_run` refuses other versions
RUN_FORMAT = "tutor-retrieval-run/1"
_DEPTH = 10


def _first_rank(flags: list[bool]) -> int | None:
    return next((i for i, hit in enumerate(flags[:_DEPTH], 1) if hit), None)


def run_payload(
    dataset: Path, results: dict[str, ModeResult], settings: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Everything needed to compare this run with another later: per mode, per question, the ranked hits."""
    modes: dict[str, Any] = {}
    for mode, result in results.items():
        rows = []
        for r in result.results:
            q = r.question
            rows.append(
                {
                    "id": q.id,
                    "question": q.question,
                    "lang": q.lang,
                    "kind": q.kind,
                    "gold": [f"{g.doc} › {g.section}" for g in q.gold],
                    "first_relevant_rank": _first_rank(r.flags),
                    "hits": [
                        {
                            "doc": h.doc,
                            "section": (h.headings[-1] if h.headings else ""),
                            "lines": h.lines,
                            "relevant": flag,
                        }
                        for h, flag in zip(r.returned[:_DEPTH], r.flags, strict=False)
                    ],
                }
            )
        modes[mode] = {"summary": result.summary(), "questions": rows}
    return {"format": RUN_FORMAT, "dataset": str(dataset), "settings": settings or {}, "modes": modes}


def save_run(
    path: Path, dataset: Path, results: dict[str, ModeResult], settings: dict[str, Any] | None = None
) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps(run_payload(dataset, results, settings), ensure_ascii=False, indent=1), encoding="utf-8"
    )
    return path


def load_run(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise EvalDatasetError(
            f"{path}: cannot read the saved run ({exc.strerror}); save one with "
            "`tutor eval retrieval --save FILE`"
        ) from exc
    except json.JSONDecodeError as exc:
        raise EvalDatasetError(f"{path}: not a JSON file ({exc.msg})") from exc
    if not isinstance(data, dict) or data.get("format") != RUN_FORMAT:
        raise EvalDatasetError(
            f"{path}: not a saved retrieval run ({RUN_FORMAT}); save one with "
            "`tutor eval retrieval --save FILE`"
        )
    return data


@dataclass
class QuestionDelta:
    id: str
    question: str
    lang: str
    kind: str
    rank_a: int | None
    rank_b: int | None

    @property
    def outcome(self) -> str:
        """fixed/broken: crossed the top-5 line; better/worse: moved within or beyond it; same."""
        hit_a = self.rank_a is not None and self.rank_a <= 5
        hit_b = self.rank_b is not None and self.rank_b <= 5
        if hit_b and not hit_a:
            return "fixed"
        if hit_a and not hit_b:
            return "broken"
        a, b = self.rank_a or _DEPTH + 1, self.rank_b or _DEPTH + 1
        return "better" if b < a else "worse" if b > a else "same"


@dataclass
class Comparison:
    mode: str
    metrics_a: dict[str, float]
    metrics_b: dict[str, float]
    deltas: list[QuestionDelta] = field(default_factory=list)
    only_a: list[str] = field(default_factory=list)
    only_b: list[str] = field(default_factory=list)

    def by_outcome(self, outcome: str) -> list[QuestionDelta]:
        return [d for d in self.deltas if d.outcome == outcome]

    def counts(self) -> dict[str, int]:
        return {o: len(self.by_outcome(o)) for o in ("fixed", "broken", "better", "worse", "same")}

    def to_json(self) -> dict[str, Any]:
        return {
            "mode": self.mode,
            "metrics_a": self.metrics_a,
            "metrics_b": self.metrics_b,
            "counts": self.counts(),
            "only_in_a": self.only_a,
            "only_in_b": self.only_b,
            "changed": [
                {
                    "id": d.id,
                    "question": d.question,
                    "lang": d.lang,
                    "kind": d.kind,
                    "rank_a": d.rank_a,
                    "rank_b": d.rank_b,
                    "outcome": d.outcome,
                }
                for d in self.deltas
                if d.outcome != "same"
            ],
        }


def _metrics(summary: dict[str, Any]) -> dict[str, float]:
    out = {f"R@{k}": v for k, v in summary["recall"].items()}
    out["MRR@10"] = summary["mrr@10"]
    return out


def compare_runs(a: dict[str, Any], b: dict[str, Any], modes: list[str] | None = None) -> list[Comparison]:
    """Per mode present in both runs: each question's first relevant rank before (a) and after (b)."""
    common = [m for m in a["modes"] if m in b["modes"]]
    if modes:
        missing = [m for m in modes if m not in common]
        if missing:
            raise EvalDatasetError(
                f"mode(s) {', '.join(missing)} not in both runs; both have: {', '.join(common) or 'none'}"
            )
        common = modes
    if not common:
        raise EvalDatasetError("the two runs share no mode; run both with the same --mode")
    out = []
    for mode in common:
        qa = {q["id"]: q for q in a["modes"][mode]["questions"]}
        qb = {q["id"]: q for q in b["modes"][mode]["questions"]}
        comp = Comparison(
            mode,
            _metrics(a["modes"][mode]["summary"]),
            _metrics(b["modes"][mode]["summary"]),
            only_a=sorted(set(qa) - set(qb)),
            only_b=sorted(set(qb) - set(qa)),
        )
        for qid, row in qa.items():
            if qid in qb:
                comp.deltas.append(
                    QuestionDelta(
                        qid,
                        row["question"],
                        row["lang"],
                        row["kind"],
                        row["first_relevant_rank"],
                        qb[qid]["first_relevant_rank"],
                    )
                )
        out.append(comp)
    return out
