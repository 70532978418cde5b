"""A second-stage re-scoring of the fused top-20, measured offline on several eval sets (issue 13).

Usage:
  OMP_NUM_THREADS=1 .venv/bin/python bench/retrieval_rescore.py --data-dir /tmp/ret4/lev/data-X \\
      --sets eval/retrieval.jsonl eval/retrieval_blind.jsonl eval/retrieval_dev.jsonl --out /tmp/rescore.json

For every question, the hybrid retriever's fused top 20 (default profile) is kept with signals the
retriever already computes or can compute cheaply: the fused RRF score, the best block's dense
similarity (the section view), the dense similarity of the most specific heading and of the last
two headings, and whether the passage sits under a stage/skill the question refers to (the query
understanding's `ReferenceSections` hook).  A grid of learned-free linear rules

    score = rrf / rrf_max + wb * (block - block_max) + wh * (heading - heading_max)
            + wp * (path - path_max) + ws * [under a referenced stage/skill]

re-orders the 20, and each rule's hybrid R@5 / MRR@10 / English R@5 is printed per set, best dev
MRR first (the weights are chosen on the dev set and checked on the others).  The features are
saved to --out so the grid can be re-run without the index (--features).
"""

from __future__ import annotations

import argparse
import functools
import itertools
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
REPO = Path(__file__).resolve().parents[1]

Row = dict[str, Any]
Rule = Callable[[Row, list[Row], int], float]


def dump(data_dir: Path, sets: list[Path]) -> list[Row]:
    """The fused top 20 of every question with its re-scoring signals and relevance."""
    import numpy as np

    from tutor.app import build
    from tutor.config import load_settings
    from tutor.evaluation.dataset import load_dataset
    from tutor.evaluation.metrics import is_relevant

    settings = load_settings(["default"], data_dir=data_dir, corpus={"paths": [REPO / "corpus"]})
    app = build(settings)
    emb = app.embedder
    object.__setattr__(emb, "embed_query", functools.lru_cache(maxsize=None)(emb.embed_query))
    app.ingest()
    retriever = app.retriever(k=20, mode="hybrid")
    levers = app.levers
    view = levers.sections()
    row_of = {cid: i for i, cid in enumerate(app.index.bm25().ids)}
    cache: dict[str, Any] = {}

    def unit(texts: list[str]) -> Any:
        missing = [t for t in dict.fromkeys(texts) if t not in cache]
        if missing:
            vecs = np.asarray(emb.embed_documents(missing), dtype=np.float32)
            cache.update(zip(missing, vecs / np.linalg.norm(vecs, axis=1, keepdims=True), strict=True))
        return np.stack([cache[t] for t in texts])

    rows: list[Row] = []
    for dataset in sets:
        for q in load_dataset(dataset):
            hits = retriever.search(q.question)
            plan = levers.plan(q.question)
            v = np.asarray(emb.embed_query(plan.dense_text), dtype=np.float32)
            v /= np.linalg.norm(v)
            best = np.full(len(view.docs), -2.0, dtype=np.float32)
            np.maximum.at(best, view.owner, view.vectors @ v)
            refs = " ".join(r for r in (hook(q.question) for hook in levers.hooks) if r)
            heads = [c.headings[-1] if c.headings else c.title for c in hits]
            paths = [" › ".join(c.headings[-2:]) if c.headings else c.title for c in hits]
            head_sim = unit(heads) @ v if hits else []
            path_sim = unit(paths) @ v if hits else []
            cands = [
                {
                    "score": c.score,
                    "block": float(best[row_of[c.id]]) if c.id in row_of else -2.0,
                    "head": float(head_sim[i]),
                    "path": float(path_sim[i]),
                    "stage": bool(refs) and any(h.split("⭐")[0].strip() in refs for h in c.headings),
                    "rel": is_relevant(c, q),
                }
                for i, c in enumerate(hits)
            ]
            rows.append({"set": dataset.stem, "id": q.id, "lang": q.lang, "cands": cands})
    return rows


def evaluate(rows: list[Row], rule: Rule) -> dict[str, tuple[float, float, float]]:
    """R@5, MRR@10 and English R@5 per set after re-ordering each question's candidates by `rule`."""
    out = {}
    for name in dict.fromkeys(r["set"] for r in rows):
        qs = [r for r in rows if r["set"] == name]
        r5 = mrr = en5 = 0.0
        n_en = 0
        for r in qs:
            c = r["cands"]
            order = sorted(range(len(c)), key=lambda i, r=r, c=c: -rule(r, c, i))
            rank = next((k for k, i in enumerate(order[:10], 1) if c[i]["rel"]), None)
            r5 += bool(rank and rank <= 5)
            mrr += 1 / rank if rank else 0.0
            if r["lang"] == "en":
                n_en += 1
                en5 += bool(rank and rank <= 5)
        out[name] = (r5 / len(qs), mrr / len(qs), en5 / max(n_en, 1))
    return out


def linear(wb: float, wh: float, wp: float, ws: float) -> Rule:
    def rule(r: Row, c: list[Row], i: int) -> float:
        x, top = c[i], c[0]["score"] or 1.0
        bm = max(y["block"] for y in c)
        hm = max(y["head"] for y in c)
        pm = max(y["path"] for y in c)
        block = (x["block"] - bm) if x["block"] > -2 else 0.0  # tables have no blocks: no say
        return x["score"] / top + wb * block + wh * (x["head"] - hm) + wp * (x["path"] - pm) + ws * x["stage"]

    return rule


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-dir", type=Path)
    ap.add_argument("--sets", type=Path, nargs="+", default=[REPO / "eval" / "retrieval.jsonl"])
    ap.add_argument("--out", type=Path, help="Save the features here.")
    ap.add_argument("--features", type=Path, help="Re-run the grid on saved features.")
    ap.add_argument("--top", type=int, default=15, help="Rules printed.")
    args = ap.parse_args()
    if args.features:
        rows = json.loads(args.features.read_text(encoding="utf-8"))
    else:
        if args.data_dir is None:
            ap.error("--data-dir is required unless --features is given")
        rows = dump(args.data_dir, args.sets)
        if args.out:
            args.out.write_text(json.dumps(rows), encoding="utf-8")
    grid = itertools.product((0, 1, 2, 4), (0, 1, 2, 4), (0, 1, 2, 4), (0, 0.05, 0.1, 0.3))
    results = [("fused order (shipped)", evaluate(rows, lambda r, c, i: -i))]
    results += [
        (f"b{wb} h{wh} p{wp} s{ws}", evaluate(rows, linear(wb, wh, wp, ws))) for wb, wh, wp, ws in grid
    ]
    last = list(results[0][1])[-1]
    results[1:] = sorted(results[1:], key=lambda item: -item[1][last][1])
    for name, sets in results[: args.top + 1]:
        cells = " | ".join(f"{s}: {a:.3f} / {b:.3f} / {e:.3f}" for s, (a, b, e) in sets.items())
        print(f"{name:24s} {cells}")


if __name__ == "__main__":
    main()
