"""Evaluations of the chain's decisions: routing accuracy and refusal calibration.

Router set: JSONL lines {"text", "route"} (optional "history": earlier user messages).  Refusal: out-of-scope questions
({"question"}) should be refused, the in-scope retrieval set should not.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tutor.chain.router import ROUTES, Router
from tutor.chain.text import detect_language
from tutor.chain.tutor import TutorChain
from tutor.errors import EvalDatasetError

__all__ = ["RouterReport", "RefusalReport", "run_router_eval", "run_refusal_eval", "read_jsonl"]


def read_jsonl(path: Path, required: tuple[str, ...]) -> list[dict[str, Any]]:
    if not path.is_file():
        raise EvalDatasetError(f"{path}: no such dataset file")
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise EvalDatasetError(f"{path}:{n}: not JSON ({exc.msg})") from exc
        missing = [k for k in required if not isinstance(row, dict) or not str(row.get(k, "")).strip()]
        if missing:
            raise EvalDatasetError(f"{path}:{n}: missing {', '.join(missing)}")
        rows.append(row)
    if not rows:
        raise EvalDatasetError(f"{path}: empty dataset")
    return rows


@dataclass
class RouterReport:
    n: int = 0
    correct: int = 0
    confusion: Counter[tuple[str, str]] = field(default_factory=Counter)
    failures: list[dict[str, str]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "accuracy": round(self.correct / max(1, self.n), 4),
            "confusion": {f"{g}->{p}": c for (g, p), c in sorted(self.confusion.items())},
            "failures": self.failures,
        }


def run_router_eval(router: Router, dataset: Path, chain: TutorChain | None = None) -> RouterReport:
    """Route every utterance; a row's optional `history` (earlier user messages) is routed the way the
    chain routes a follow-up (condensed with them, then `TutorChain.route_turn`), which needs `chain`."""
    rows = read_jsonl(dataset, ("text", "route"))
    report = RouterReport()
    for n, row in enumerate(rows, 1):
        if row["route"] not in ROUTES:
            raise EvalDatasetError(f"{dataset}:{n}: route '{row['route']}' is not one of {list(ROUTES)}")
        history = row.get("history") or []
        if not isinstance(history, list) or not all(isinstance(h, str) for h in history):
            raise EvalDatasetError(f"{dataset}:{n}: 'history' must be a list of earlier user messages")
        if history and chain is None:
            raise EvalDatasetError(f"{dataset}:{n}: a row with 'history' needs the chain to condense it")
        turns = [("user", h) for h in history]
        got = chain.route_turn(row["text"], turns)[2] if chain is not None else router.route(row["text"])
        report.n += 1
        report.correct += got.kind == row["route"]
        report.confusion[(row["route"], got.kind)] += 1
        if got.kind != row["route"]:
            report.failures.append(
                {"text": row["text"], "expected": row["route"], "got": got.kind, "reason": got.reason}
            )
    return report


@dataclass
class RefusalReport:
    out_of_scope: list[tuple[str, str, float, bool]] = field(
        default_factory=list
    )  # (q, lang, relevance, refused)
    in_scope: list[tuple[str, str, float, bool]] = field(default_factory=list)

    @staticmethod
    def _rate(rows: list[tuple[str, str, float, bool]], lang: str | None = None) -> float:
        sel = [r for r in rows if lang is None or r[1] == lang]
        return round(sum(r[3] for r in sel) / max(1, len(sel)), 4)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "n_out_of_scope": len(self.out_of_scope),
            "n_in_scope": len(self.in_scope),
            "refusal_rate_out_of_scope": self._rate(self.out_of_scope),
            "false_refusal_rate_in_scope": self._rate(self.in_scope),
        }
        for lang in ("zh", "en"):
            out[f"refusal_rate_out_of_scope_{lang}"] = self._rate(self.out_of_scope, lang)
            out[f"false_refusal_rate_in_scope_{lang}"] = self._rate(self.in_scope, lang)
        out["answered_out_of_scope"] = [
            {"question": q, "relevance": round(r, 4)} for q, _, r, refused in self.out_of_scope if not refused
        ]
        out["refused_in_scope"] = [
            {"question": q, "relevance": round(r, 4)} for q, _, r, refused in self.in_scope if refused
        ]
        return out


def run_refusal_eval(chain: TutorChain, out_of_scope: Path, in_scope: Path) -> RefusalReport:
    """Refusal rates; the chain's retrieval says "run tutor ingest" first when there is no index."""
    report = RefusalReport()
    for target, path, key in (
        (report.out_of_scope, out_of_scope, "question"),
        (report.in_scope, in_scope, "question"),
    ):
        for row in read_jsonl(path, (key,)):
            q = row[key]
            lang = detect_language(q)
            relevance = chain.relevance(chain.retrieve(q))
            target.append((q, lang, relevance, chain.refuses(relevance, lang)))
    return report
