"""Embedding calls (model invocations) and texts embedded per no-LLM answer.

Usage:  .venv/bin/python bench/embed_calls.py --data-dir DIR [--limit 40] [--label NAME] [--warm]

Counts every call that reaches the embedding model while answering the material questions of
eval/answers.jsonl in bench/load.py's mix of kinds (llm.kind none), one warm process, the embedder loaded before counting.  The
counter wraps the model itself, so the same script measures any revision of the code (run it with
PYTHONPATH pointing at the revision).  With --warm, `App.warm_answer_vectors()` runs first (what
the UI does after its start-up ingest), when the revision has it.  Writes embed-calls-<label>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import threading
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
REPO = Path(__file__).resolve().parents[1]


def counting(inner: Any) -> Any:
    """The model with a counter: calls and texts of every embed_* that reaches it."""
    from tutor.index.embeddings import TutorEmbeddings

    class Counting(TutorEmbeddings):
        def __init__(self) -> None:
            self.model_id, self.dimension = inner.model_id, inner.dimension
            self.calls = self.texts = 0
            self._lock = threading.Lock()

        def _count(self, n: int) -> None:
            with self._lock:
                self.calls += 1
                self.texts += n

        def embed_documents(self, texts: list[str], show_progress: bool = False) -> list[list[float]]:
            self._count(len(texts))
            return inner.embed_documents(texts, show_progress=show_progress)

        def embed_query(self, text: str) -> list[float]:
            self._count(1)
            return inner.embed_query(text)

        def embed_queries(self, texts: list[str]) -> list[list[float]]:
            self._count(len(texts))
            return inner.embed_queries(texts)

        def tokenizer_length(self, text: str) -> int | None:
            return inner.tokenizer_length(text)

    return Counting()


def main() -> None:
    from tutor.app import build
    from tutor.config import load_settings
    from tutor.index.embeddings import build_embeddings

    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", type=Path, required=True, help="an indexed data dir (used as is)")
    parser.add_argument("--limit", type=int, default=40)
    parser.add_argument("--label", default="run")
    parser.add_argument("--warm", action="store_true", help="warm the answer vectors first")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results")
    args = parser.parse_args()
    settings = load_settings(data_dir=args.data_dir, llm={"kind": "none"})
    model = counting(build_embeddings(settings.embeddings, settings.model_cache_dir))
    app = build(settings, embedder=model)
    app.ask("warm-up: RAG 是什么？")  # router examples, BM25, document cards: once per process
    warmed = None
    if args.warm and hasattr(app, "warm_answer_vectors"):
        warmed = app.warm_answer_vectors()
    sys.path.insert(0, str(Path(__file__).parent))
    from load import questions as mixed_questions  # the load benchmark's mix of kinds

    questions = mixed_questions()
    per_answer: list[dict[str, Any]] = []
    for question in questions[: args.limit]:
        calls, texts = model.calls, model.texts
        answer = app.ask(question)
        per_answer.append(
            {
                "question": question,
                "composition": answer.composition,
                "calls": model.calls - calls,
                "texts": model.texts - texts,
            }
        )
    embedded = [p for p in per_answer if p["composition"] != "structured"]
    report = {
        "label": args.label,
        "warmed_texts": warmed,
        "answers": len(per_answer),
        "answers_from_passages": len(embedded),
        "calls_mean": round(statistics.mean(p["calls"] for p in per_answer), 2),
        "calls_max": max(p["calls"] for p in per_answer),
        "texts_mean": round(statistics.mean(p["texts"] for p in per_answer), 2),
        "passages_calls_mean": round(statistics.mean(p["calls"] for p in embedded), 2) if embedded else None,
        "passages_texts_mean": round(statistics.mean(p["texts"] for p in embedded), 2) if embedded else None,
        "per_answer": per_answer,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / f"embed-calls-{args.label}.json").write_text(json.dumps(report, indent=2, ensure_ascii=False))
    print(json.dumps({k: v for k, v in report.items() if k != "per_answer"}, indent=2))


if __name__ == "__main__":
    main()
