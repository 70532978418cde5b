"""Fit the learned reading (`tutor.chain.reading_model`) on labelled answer sets and judge it writer by writer.

Every question of the training sets (follow-ups excepted: their reading comes from the conversation) is
embedded as a query with the retriever's embedder; one multinomial logistic regression per label (aspect,
route) is fitted on the vectors, its L2 strength chosen by 5-fold cross-validated accuracy.  The judged
number that matters is leave-one-writer-out (`by_writer`): the spent set's writers (ids s4-…s18-) are held
out one at a time, the model fitted on the rest, and its reading of the held-out writer's questions compared
with their labels: overall and above each probability gate (`tutor.chain.reading_gate`).

eval/answers.jsonl (own) is never trained on: it stays the clean test set.

Run: `tutor --data-dir D eval train-reading --dataset eval/answers_spent.jsonl --dataset
eval/answers_dev.jsonl --out src/tutor/chain/reading_weights.json`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from tutor.chain.reading_model import NO_ASPECT, Head, ReadingModel, aspect_label, unit_label

__all__ = [
    "GATES",
    "Question",
    "by_writer",
    "fit",
    "fit_head",
    "load_questions",
    "predict",
    "writer",
    "write",
]

#: regularisation strengths tried (scikit-learn's C)
C_GRID = (1.0, 3.0, 10.0, 30.0)
#: the unit head's C: chosen among kNN (k=5, 10), nearest centroid and C=3 by the fill gate's
#: leave-one-writer-out precision (eval/README.md); CV over C is slow with ~30 classes
C_UNIT = 3.0
#: the labels read, one head each
HEADS = ("aspect", "route", "unit")
#: probability gates reported
GATES = (0.5, 0.6, 0.7, 0.8, 0.9)
#: the clean test set, never trained on
OWN = "answers.jsonl"


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    labels: dict[str, str]


def writer(qid: str) -> str:
    """The writer of a spent question ("s12-f069" -> "s12"); "" for others."""
    m = re.match(r"(s\d+)-", qid)
    return m.group(1) if m else ""


def load_questions(paths: Sequence[Path]) -> list[Question]:
    """The labelled questions of `paths` without follow-ups."""
    out = []
    for path in paths:
        if path.name == OWN:
            raise ValueError(f"{path} is the clean test set: never trained on")
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            q = json.loads(line)
            if q.get("history") or q.get("kind") == "followup":
                continue
            labels = {
                "aspect": aspect_label(q.get("kind", "")),
                "route": q.get("route", "material"),
                "unit": unit_label(q.get("gold") or []),
            }
            out.append(Question(q["id"], q["question"], labels))
    return out


def fit_head(x: Any, y: Sequence[str], c: float) -> Head:
    """A multinomial logistic regression (L2, strength `c`) as a shippable Head."""
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=c, max_iter=3000).fit(x, list(y))
    classes = [str(k) for k in model.classes_]
    coef, bias = model.coef_, model.intercept_
    if len(classes) == 2:  # scikit-learn keeps one row for two classes: the second's score
        coef, bias = np.vstack([-coef[0] / 2, coef[0] / 2]), np.r_[-bias[0] / 2, bias[0] / 2]
    return Head(
        tuple(classes), tuple(tuple(float(w) for w in row) for row in coef), tuple(float(b) for b in bias)
    )


def predict(head: Head, x: Any) -> tuple[list[str], Any]:
    """`Head.read` for many vectors at once (numpy): top labels and their probabilities."""
    scores = x @ np.asarray(head.weights).T + np.asarray(head.bias)
    exp = np.exp(scores - scores.max(axis=1, keepdims=True))
    probs = exp / exp.sum(axis=1, keepdims=True)
    return [head.classes[i] for i in probs.argmax(axis=1)], probs.max(axis=1)


def _cv_accuracy(x: Any, y: Sequence[str], c: float, k: int = 5) -> float:
    idx = np.arange(len(y)) % k
    labels = np.asarray(y)
    right = 0
    for i in range(k):
        head = fit_head(x[idx != i], list(labels[idx != i]), c)
        right += int((np.asarray(predict(head, x[idx == i])[0]) == labels[idx == i]).sum())
    return right / max(1, len(y))


def fit(
    questions: Sequence[Question], x: Any, embedder: str, command: str, c: float | None = None
) -> ReadingModel:
    """Each label's head on every question; `c` None: chosen per head by 5-fold CV accuracy (the unit's,
    with some thirty classes, is fixed: `C_UNIT`)."""
    heads, chosen = {}, {}
    for name in HEADS:
        y = [q.labels[name] for q in questions]
        best = (
            C_UNIT
            if name == "unit"
            else c
            if c is not None
            else max(C_GRID, key=lambda v: _cv_accuracy(x, y, v))
        )
        heads[name], chosen[name] = fit_head(x, y, best), best
    meta = {"command": command, "questions": len(questions), "c": chosen}
    return ReadingModel(embedder, heads, meta)


def without_each(
    questions: Sequence[Question], x: Any, embedder: str, command: str, c: Mapping[str, float]
) -> dict[str, ReadingModel]:
    """One model per spent writer, fitted without their questions (the honest spent answer eval)."""
    out = {}
    for w in sorted({writer(q.id) for q in questions} - {""}, key=lambda w: int(w[1:])):
        keep = [i for i, q in enumerate(questions) if writer(q.id) != w]
        heads = {n: fit_head(x[keep], [questions[i].labels[n] for i in keep], c[n]) for n in c}
        meta = {"command": f"{command} (without {w})", "questions": len(keep), "c": dict(c)}
        out[w] = ReadingModel(embedder, heads, meta)
    return out


@dataclass(frozen=True)
class RulesReading:
    """What the rules made of a question: its gate case ("fill", "clear", "") and the units they named."""

    case: str
    units: frozenset[str]


def by_writer(
    questions: Sequence[Question],
    x: Any,
    c: Mapping[str, float],
    fails: frozenset[str] = frozenset(),
    rules: Mapping[str, RulesReading] | None = None,
) -> dict[str, Any]:
    """Leave-one-writer-out: accuracy per label, above each gate, on `fails` (the rules' failures), and
    per gate case (`rules`, `tutor.chain.reading_gate.case`) how often the model acts, and rightly."""
    pred: dict[str, dict[str, tuple[str, float]]] = {name: {} for name in c}
    writers = sorted({writer(q.id) for q in questions} - {""}, key=lambda w: int(w[1:]))
    for w in writers:
        held = [i for i, q in enumerate(questions) if writer(q.id) == w]
        rest = [i for i, q in enumerate(questions) if writer(q.id) != w]
        for name in pred:
            head = fit_head(x[rest], [questions[i].labels[name] for i in rest], c[name])
            values, probs = predict(head, x[held])
            for i, value, p in zip(held, values, probs, strict=True):
                pred[name][questions[i].id] = (value, float(p))
    gold = {q.id: q.labels for q in questions}
    out = {name: _scores(pred[name], {k: v[name] for k, v in gold.items()}, fails) for name in pred}
    out["gates"] = _gate_cases(pred, gold, rules or {})
    return out


def _gate_cases(
    pred: Mapping[str, dict[str, tuple[str, float]]],
    gold: Mapping[str, Mapping[str, str]],
    rules: Mapping[str, RulesReading],
) -> dict[str, Any]:
    """Per case and gate: questions in the case, how many the model would change, how many of those rightly
    (fill: the aspect labelled and the unit the rules named; clear: no aspect labelled)."""
    out: dict[str, Any] = {}
    aspect, unit = pred["aspect"], pred.get("unit", {})
    for name in ("fill", "clear"):
        ids = [i for i in aspect if i in rules and rules[i].case == name]
        row: dict[str, Any] = {"n": len(ids)}
        for g in GATES:
            if name == "fill":
                acts = [
                    i
                    for i in ids
                    if aspect[i][1] >= g
                    and aspect[i][0] != NO_ASPECT
                    and (not unit or unit[i][0] in rules[i].units)
                ]
                wrong = [
                    i
                    for i in acts
                    if aspect[i][0] != gold[i]["aspect"] or gold[i]["unit"] not in rules[i].units
                ]
            else:
                acts = [i for i in ids if aspect[i][1] >= g and aspect[i][0] == NO_ASPECT]
                wrong = [i for i in acts if gold[i]["aspect"] != NO_ASPECT]
            row[str(g)] = {"acts": len(acts), "right": len(acts) - len(wrong), "wrong": wrong}
        out[name] = row
    return out


def _scores(
    pred: dict[str, tuple[str, float]], gold: dict[str, str], fails: frozenset[str]
) -> dict[str, Any]:
    def acc(ids: Sequence[str]) -> dict[str, float]:
        return {"n": len(ids), "acc": round(sum(pred[i][0] == gold[i] for i in ids) / max(1, len(ids)), 4)}

    ids = list(pred)
    above = {str(g): acc([i for i in ids if pred[i][1] >= g]) for g in GATES}
    return {"all": acc(ids), "above": above, "rules_fail": acc([i for i in ids if i in fails])}


def embed_all(embed: Callable[[list[str]], list[list[float]]], questions: Sequence[Question]) -> Any:
    return np.asarray(embed([q.text for q in questions]), dtype=np.float64)


def write(model: ReadingModel, out: Path) -> Path:
    out.write_text(json.dumps(model.to_json(), ensure_ascii=False) + "\n", encoding="utf-8")
    return out
