"""The labelled-question memory (`tutor.index.memory`), scored leave-one-writer-out and on the clean sets.

Usage:
  PYTHONPATH=src HF_HUB_OFFLINE=1 .venv/bin/python bench/question_memory.py --data-dir D \\
      --grid 5:0.9:1.0 10:0.88:1.5 --judge eval/retrieval.jsonl eval/retrieval_blind.jsonl --out F.json

For each writer P of eval/retrieval_spent.jsonl (s4 … s18) a memory of every training question except
P's (either spent file) scores P's 80 questions; the 14 folds together are the honest number.  A grid
point is k:floor:weight[:sections:rows[:rescore]].  --judge sets are scored with the memory of every training
question (they are never in it).  Each question's first relevant rank goes to --out, per grid point.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
TRAIN = [
    Path("eval/retrieval_spent.jsonl"),
    Path("eval/answers_spent.jsonl"),
    Path("eval/retrieval_dev.jsonl"),
    Path("eval/answers_dev.jsonl"),
]


def first_ranks(search: Callable[[str], list[Any]], questions: list[Any]) -> dict[str, int]:
    """Question id -> rank of its first relevant passage in the top 10 (0: none)."""
    from tutor.evaluation.metrics import is_relevant

    out = {}
    for q in questions:
        flags = [is_relevant(h, q) for h in search(q.question)[:10]]
        out[q.id] = next((i for i, f in enumerate(flags, 1) if f), 0)
    return out


def summary(ranks: dict[str, int], langs: dict[str, str]) -> dict[str, Any]:
    def one(ids: list[str]) -> dict[str, float]:
        n = max(1, len(ids))
        r = [ranks[i] for i in ids]
        return {
            "n": len(ids),
            "r@1": round(sum(x == 1 for x in r) / n, 4),
            "r@5": round(sum(0 < x <= 5 for x in r) / n, 4),
            "mrr@10": round(sum(1 / x for x in r if x) / n, 4),
        }

    ids = list(ranks)
    return {"all": one(ids), **{lang: one([i for i in ids if langs[i] == lang]) for lang in ("zh", "en")}}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", type=Path, required=True)
    ap.add_argument("--grid", nargs="+", default=["5:0.9:1.0"])
    ap.add_argument("--judge", nargs="*", type=Path, default=[])
    ap.add_argument("--no-folds", action="store_true")
    ap.add_argument("--no-base", action="store_true", help="skip the memory-off point")
    ap.add_argument("--train", nargs="*", type=Path, default=TRAIN)
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args()

    from tutor.app import build
    from tutor.config import load_settings
    from tutor.evaluation.dataset import load_dataset
    from tutor.evaluation.train_memory import build_memory, labelled, writer
    from tutor.index.memory import embedder_key

    app = build(load_settings(data_dir=args.data_dir))
    cfg = app.settings.retrieval
    emb = app.embedder
    memory = build_memory(labelled(args.train), emb.embed_queries, embedder_key(emb))
    retriever = app.retriever(k=10, mode="hybrid")
    spent = load_dataset(Path("eval/retrieval_spent.jsonl"))
    judged = {p.stem: load_dataset(p) for p in args.judge}
    langs = {q.id: q.lang for qs in [spent, *judged.values()] for q in qs}
    tmp = Path(tempfile.mkdtemp())
    files = {"all": memory.save(tmp / "all.npz")}
    for p in sorted({writer(q.id) for q in spent}):
        files[p] = memory.subset(lambda qid, p=p: writer(qid) != p).save(tmp / f"{p}.npz")
    results: dict[str, Any] = {}
    for point in [*([] if args.no_base else ["0:0:0"]), *args.grid]:
        k, floor, weight, *rest = point.split(":")
        cfg.question_memory_k, cfg.question_memory_floor = int(k) or 1, float(floor)
        cfg.question_memory_weight = float(weight)
        if rest:
            cfg.question_memory_sections, cfg.question_memory_rows = int(rest[0]), int(rest[1])
        cfg.question_memory_rescore = float(rest[2]) if len(rest) > 2 else 0.0
        res: dict[str, Any] = {}
        if not args.no_folds:
            ranks: dict[str, int] = {}
            for p, path in files.items():
                if p == "all":
                    continue
                cfg.question_memory_file = str(path)
                ranks |= first_ranks(retriever.search, [q for q in spent if writer(q.id) == p])
            res["lowo"] = {"summary": summary(ranks, langs), "ranks": ranks}
        cfg.question_memory_file = str(files["all"])
        for name, qs in judged.items():
            ranks = first_ranks(retriever.search, qs)
            res[name] = {"summary": summary(ranks, langs), "ranks": ranks}
        results[point] = res
        print(point, json.dumps({n: r["summary"] for n, r in res.items()}), flush=True)
        args.out.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
