"""Fit the learned ranker (`tutor.index.ranker`) on some eval sets and judge it on others.

For every question of the training sets the hybrid retriever's fused top candidates and their
features are collected (`HybridRetriever.candidates`), each candidate labelled relevant or not by
the eval harness's rule (`is_relevant`).  A pairwise logistic regression (scikit-learn) is fitted on
the feature differences between a relevant and an irrelevant candidate of the same question — the
model learns which signals put the right passage first, not a score per passage — with L2
regularisation chosen by 5-fold cross-validation over questions.  The hand-set rule it replaces
(`tutor.index.rescore`: rrf + 2 x block + 0.1 x under a referenced section) is the same kind of
linear model, so both are scored the same way, offline, from the same candidates.

Run: `tutor --data-dir D eval train-ranker --dataset eval/retrieval_dev.jsonl --dataset
eval/retrieval_spent.jsonl --judge eval/retrieval.jsonl --judge eval/retrieval_blind.jsonl --out FILE`.
"""

from __future__ import annotations

import json
import logging
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tutor.evaluation.dataset import load_dataset
from tutor.evaluation.metrics import is_relevant
from tutor.index.ranker import FEATURES, Candidates, LinearRanker, feature_rows

__all__ = [
    "Sample",
    "collect",
    "cross_validate",
    "evaluate",
    "fit",
    "load_samples",
    "rule_ranker",
    "save_samples",
    "train",
    "write",
]

log = logging.getLogger(__name__)

#: the regularisation strengths tried (scikit-learn's C: smaller = stronger L2)
C_GRID = (0.003, 0.01, 0.03, 0.1, 0.3, 1.0)
#: the weights of the model's score added to the rule's that are reported (retrieval.learned_ranker_weight)
BLENDS = (0.02, 0.05, 0.1, 0.2, 1.0)
_DEPTH = 10


@dataclass
class Sample:
    """One question's candidates: feature rows, relevance labels, language."""

    id: str
    lang: str
    rows: list[list[float]]
    labels: list[bool]

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "lang": self.lang, "rows": self.rows, "labels": self.labels}


def collect(candidates: Callable[[str], Candidates], dataset: Path) -> list[Sample]:
    """The fused candidates of every question of `dataset`, with their features and labels."""
    out = []
    for q in load_dataset(dataset):
        c = candidates(q.question)
        out.append(Sample(q.id, q.lang, feature_rows(c), [is_relevant(ch, q) for ch in c.chunks]))
    return out


def save_samples(path: Path, by_set: dict[str, list[Sample]]) -> None:
    """The collected candidates, so that fitting again does not re-run retrieval (`--samples`)."""
    payload = {"features": list(FEATURES), "sets": {k: [s.to_json() for s in v] for k, v in by_set.items()}}
    path.write_text(json.dumps(payload), encoding="utf-8")


def load_samples(path: Path) -> dict[str, list[Sample]] | None:
    """Samples saved by `save_samples` with this version's features; None when absent or stale."""
    if not path.is_file():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    if data.get("features") != list(FEATURES):
        log.warning("%s holds other features; collecting again", path)
        return None
    return {k: [Sample(**s) for s in v] for k, v in data["sets"].items()}


def rule_ranker() -> LinearRanker:
    """The hand-set second stage (`tutor.index.rescore` with the default weights) as a linear ranker."""
    weights = {"rrf": 1.0, "block": 2.0, "under_ref": 0.1}
    n = len(FEATURES)
    return LinearRanker(FEATURES, tuple(weights.get(f, 0.0) for f in FEATURES), (0.0,) * n, (1.0,) * n)


def _order(ranker: LinearRanker, s: Sample) -> list[bool]:
    scores = ranker.scores(s.rows)
    return [s.labels[i] for i in sorted(range(len(s.rows)), key=lambda i: -scores[i])]


def evaluate(ranker: LinearRanker, samples: Sequence[Sample]) -> dict[str, float]:
    """R@1, R@5, MRR@10 and English R@5 of the ranker's order of each question's candidates."""
    flags = [_order(ranker, s) for s in samples]
    n = max(1, len(samples))
    first = [next((i for i, f in enumerate(fl[:_DEPTH], 1) if f), None) for fl in flags]
    english = [r for r, s in zip(first, samples, strict=True) if s.lang == "en"]
    return {
        "n": len(samples),
        "r@1": round(sum(1 for r in first if r == 1) / n, 4),
        "r@5": round(sum(1 for r in first if r and r <= 5) / n, 4),
        "mrr@10": round(sum(1 / r for r in first if r) / n, 4),
        "en_r@5": round(sum(1 for r in english if r and r <= 5) / max(1, len(english)), 4),
    }


def fit(samples: Sequence[Sample], c: float) -> LinearRanker:
    """Pairwise logistic regression on standardised feature differences (relevant minus irrelevant).

    Every question weighs the same, however many pairs it has (a list question with four relevant
    passages among twenty would otherwise count as sixty questions with one)."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    every = np.asarray([row for s in samples for row in s.rows], dtype=np.float64)
    mean = every.mean(axis=0)
    scale = every.std(axis=0)
    scale[scale < 1e-9] = 1.0
    diffs: list[Any] = []
    weights: list[float] = []
    for s in samples:
        x = (np.asarray(s.rows, dtype=np.float64) - mean) / scale
        pos = [i for i, y in enumerate(s.labels) if y]
        neg = [i for i, y in enumerate(s.labels) if not y]
        diffs += [x[p] - x[q] for p in pos for q in neg]
        weights += [1.0 / max(1, len(pos) * len(neg))] * (len(pos) * len(neg))
    if not diffs:
        raise ValueError("no question has both a relevant and an irrelevant candidate: nothing to learn from")
    d = np.asarray(diffs)
    w = np.asarray(weights) * len(weights) / sum(weights)
    model = LogisticRegression(C=c, fit_intercept=False, max_iter=5000)
    model.fit(np.vstack([d, -d]), np.r_[np.ones(len(d)), np.zeros(len(d))], sample_weight=np.r_[w, w])
    return LinearRanker(
        FEATURES, tuple(float(v) for v in model.coef_[0]), tuple(mean.tolist()), tuple(scale.tolist())
    )


def _folds(samples: Sequence[Sample], k: int, seed: int) -> list[list[Sample]]:
    order = list(samples)
    random.Random(seed).shuffle(order)
    return [order[i::k] for i in range(k)]


def _blended(model: LinearRanker, s: Sample, blend: float | None) -> Sample:
    """`s` scored by the model alone (blend None) or by the rule plus `blend` x the model."""
    learned = model.scores(s.rows)
    if blend is not None:
        learned = [r + blend * x for r, x in zip(rule_ranker().scores(s.rows), learned, strict=True)]
    return Sample(s.id, s.lang, [[v] for v in learned], s.labels)


def cross_validate(
    samples: Sequence[Sample], c: float, k: int = 5, seed: int = 13, blends: Sequence[float | None] = (None,)
) -> dict[str, dict[str, float]]:
    """Each question scored by a model fitted on the other folds; metrics over all questions, per blend."""
    folds = _folds(samples, k, seed)
    scored: dict[str, list[Sample]] = {str(b): [] for b in blends}
    for i, held in enumerate(folds):
        model = fit([s for j, f in enumerate(folds) if j != i for s in f], c)
        for b in blends:
            scored[str(b)] += [_blended(model, s, b) for s in held]
    one = LinearRanker(("score",), (1.0,), (0.0,), (1.0,))
    return {b: evaluate(one, rows) for b, rows in scored.items()}


def train(
    samples: Sequence[Sample], judged: dict[str, Sequence[Sample]], trained_on: Sequence[str], command: str
) -> tuple[LinearRanker, dict[str, Any]]:
    """C by 5-fold cross-validated MRR@10, the model refitted on every sample, and the report."""
    rule = rule_ranker()
    cv = {str(c): cross_validate(samples, c)["None"] for c in C_GRID}
    best = max(C_GRID, key=lambda c: (cv[str(c)]["mrr@10"], cv[str(c)]["r@5"]))
    ranker = fit(samples, best)
    one = LinearRanker(("score",), (1.0,), (0.0,), (1.0,))
    report: dict[str, Any] = {
        "trained_on": list(trained_on),
        "questions": len(samples),
        "command": command,
        "c": best,
        "cv_by_c": cv,
        "cv": cv[str(best)],
        # retrieval.learned_ranker_weight: the rule's score plus this times the model's
        "cv_by_weight": cross_validate(samples, best, blends=BLENDS),
        "rule_on_training": evaluate(rule, samples),
        "judged": {
            name: {
                "rule": evaluate(rule, s),
                **{
                    f"rule + {b} x learned": evaluate(one, [_blended(ranker, x, b) for x in s])
                    for b in BLENDS
                },
            }
            for name, s in judged.items()
        },
    }
    log.info("learned ranker: C=%s, cv %s", best, cv[str(best)])
    return ranker, report


def write(ranker: LinearRanker, report: dict[str, Any], out: Path) -> Path:
    """The coefficients file the retriever loads (`load_ranker`), with how it was made."""
    keep = ("trained_on", "questions", "command", "c", "cv", "cv_by_weight")
    payload = ranker.to_json(**{k: report[k] for k in keep})
    out.write_text(json.dumps(payload, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return out
