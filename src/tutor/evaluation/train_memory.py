"""Build the labelled-question memory (`tutor.index.memory`) from eval sets, and score it leave-one-writer-out.

Every question of the chosen sets that has a gold section (and is not one the tutor must refuse) is
embedded with the retriever's own query embedder; its id, gold (doc, section) and vector go in the file.
The clean test sets (own retrieval and answers, blind) are refused: a memory trained on them would
make their numbers meaningless.

Run: `tutor --data-dir D eval train-memory --dataset eval/retrieval_spent.jsonl --dataset
eval/answers_spent.jsonl --dataset eval/retrieval_dev.jsonl --dataset eval/answers_dev.jsonl --out FILE`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from tutor.errors import EvalDatasetError
from tutor.evaluation.chain_eval import read_jsonl
from tutor.index.memory import QuestionMemory, Section

__all__ = ["CLEAN_SETS", "Labelled", "build_memory", "labelled", "writer"]

log = logging.getLogger(__name__)

#: the test sets no memory may learn from (eval/README.md)
CLEAN_SETS = frozenset({"retrieval.jsonl", "retrieval_blind.jsonl", "answers.jsonl"})


@dataclass(frozen=True)
class Labelled:
    """One training question: its id, text and gold sections."""

    id: str
    question: str
    golds: tuple[Section, ...]


def writer(qid: str) -> str:
    """The writer of a spent question ('s12-t004' -> 's12'); the id itself for any other set."""
    head = qid.split("-", 1)[0]
    return head if head.startswith("s") and head[1:].isdigit() else qid


def labelled(paths: Sequence[Path]) -> list[Labelled]:
    """The questions of `paths` with a gold section, not refused; one per question text (the first)."""
    out: list[Labelled] = []
    seen: set[str] = set()
    for path in paths:
        if path.name in CLEAN_SETS:
            raise EvalDatasetError(f"{path}: a clean test set; the question memory must never learn from it")
        for row in read_jsonl(path, ("id", "question")):
            golds = tuple((g["doc"], g["section"]) for g in row.get("gold") or [])
            text = str(row.get("question", "")).strip()
            if not golds or row.get("refuse") or not text or text in seen:
                continue
            seen.add(text)
            out.append(Labelled(str(row["id"]), text, golds))
    return out


def build_memory(
    items: Sequence[Labelled], embed_queries: Callable[[list[str]], list[list[float]]], embedder: str
) -> QuestionMemory:
    """The memory of `items`, their questions embedded by `embed_queries` (the retriever's query embedder)."""
    import numpy as np

    vectors = np.asarray(embed_queries([i.question for i in items]), dtype=np.float32).reshape(len(items), -1)
    vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9)
    log.info("question memory: %d questions embedded", len(items))
    return QuestionMemory(embedder, tuple(i.id for i in items), tuple(i.golds for i in items), vectors)
