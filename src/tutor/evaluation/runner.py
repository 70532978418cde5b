"""Run an eval set through several retrieval modes in one process and score them side by side."""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tutor.errors import ConfigError
from tutor.evaluation.dataset import EvalQuestion, load_dataset
from tutor.evaluation.metrics import is_relevant, ndcg_at, percentile, recall_at, reciprocal_rank
from tutor.evaluation.naive import NaiveBaseline
from tutor.index.live import LiveIndex
from tutor.index.store import StoredChunk

Search = Callable[[str], list[StoredChunk]]

__all__ = ["ALL_MODES", "ModeResult", "run_retrieval_eval"]

log = logging.getLogger(__name__)
ALL_MODES = ("dense", "bm25", "hybrid", "naive")
_DEPTH = 10


@dataclass
class QuestionResult:
    question: EvalQuestion
    flags: list[bool]
    returned: list[StoredChunk]
    total_relevant: int
    latency_ms: float


@dataclass
class ModeResult:
    mode: str
    ks: list[int]
    results: list[QuestionResult] = field(default_factory=list)

    def _summary(self, rows: Sequence[QuestionResult]) -> dict[str, Any]:
        n = max(1, len(rows))
        return {
            "n": len(rows),
            "recall": {str(k): round(sum(recall_at(r.flags, k) for r in rows) / n, 4) for k in self.ks},
            "mrr@10": round(sum(reciprocal_rank(r.flags, 10) for r in rows) / n, 4),
            "ndcg@10": round(sum(ndcg_at(r.flags, r.total_relevant, 10) for r in rows) / n, 4),
        }

    def summary(self) -> dict[str, Any]:
        out = self._summary(self.results)
        latencies = [r.latency_ms for r in self.results]
        out["latency_ms"] = {
            "p50": round(percentile(latencies, 50), 1),
            "p95": round(percentile(latencies, 95), 1),
        }
        for key, attr in (("by_lang", "lang"), ("by_kind", "kind"), ("by_doc", None)):
            groups: dict[str, list[QuestionResult]] = defaultdict(list)
            for r in self.results:
                label = getattr(r.question, attr) if attr else r.question.gold[0].doc
                groups[label].append(r)
            out[key] = {label: self._summary(rows) for label, rows in sorted(groups.items())}
        return out

    def missed(self, k: int) -> list[QuestionResult]:
        return [r for r in self.results if not any(r.flags[:k])]


def _searchers(
    index: LiveIndex, search_for: Callable[[str, int], Search], naive: NaiveBaseline, modes: Sequence[str]
) -> dict[str, tuple[Search, list[StoredChunk]]]:
    index.require()
    live = index.live_chunks()
    out: dict[str, tuple[Search, list[StoredChunk]]] = {}
    for mode in modes:
        if mode == "naive":
            naive.prepare()
            out[mode] = (lambda q: naive.search(q, _DEPTH), naive.chunks)
        elif mode in ("dense", "bm25", "hybrid"):
            out[mode] = (search_for(mode, _DEPTH), live)
        else:
            raise ConfigError(f"Unknown eval mode '{mode}'; choose from {', '.join(ALL_MODES)}")
    return out


def run_retrieval_eval(
    index: LiveIndex,
    search_for: Callable[[str, int], Search],
    naive: NaiveBaseline,
    dataset: Path,
    modes: Sequence[str] = ALL_MODES,
    ks: Sequence[int] = (1, 3, 5, 10),
    show_progress: bool = False,
) -> tuple[list[EvalQuestion], dict[str, ModeResult]]:
    """Score every mode on every question; latency is measured warm (one warm-up query per mode).

    `search_for(mode, k)` gives the search function of a retrieval mode; `naive` is the tutorial baseline.
    """
    from tqdm import tqdm

    questions = load_dataset(dataset)
    searchers = _searchers(index, search_for, naive, modes)
    results: dict[str, ModeResult] = {}
    for mode, (search, corpus) in searchers.items():
        search(questions[0].question)  # warm-up: model, jieba, caches
        result = ModeResult(mode=mode, ks=sorted(set(ks)))
        for q in tqdm(questions, desc=f"eval {mode}", unit="q", disable=not show_progress):
            t0 = time.perf_counter()
            hits = search(q.question)[:_DEPTH]
            latency = (time.perf_counter() - t0) * 1000
            result.results.append(
                QuestionResult(
                    question=q,
                    flags=[is_relevant(h, q) for h in hits],
                    returned=hits,
                    total_relevant=sum(1 for c in corpus if is_relevant(c, q)),
                    latency_ms=latency,
                )
            )
        results[mode] = result
    return questions, results
