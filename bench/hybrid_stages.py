"""Where one warm hybrid query spends its time, stage by stage, for one code version.

Usage (on a data dir that `bench/scale.py --keep` left behind, e.g. /work/scale-data/n10000/after):
  PYTHONPATH=src .venv/bin/python bench/hybrid_stages.py --data /work/scale-data/n10000/after --size 10000
  PYTHONPATH=/tmp/base/src TUTOR_CONFIG_DIR=/tmp/base/configs .venv/bin/python bench/hybrid_stages.py ...

Each stage is timed by wrapping the function that does it (no profiler, so the times add up to
the query's): document routing (`HybridRetriever._route`), the dense store query
(`ChromaStore.query`: Chroma plus the liveness checks and reading texts; "dense_records", inside
it, is reading the hits' texts from the BM25 records where the code does that), the BM25 search
(`BM25Index.search`: scoring plus the records of the hits), RRF (`rrf_fuse`), near-duplicate
removal (`dedup`); "other" is the rest of `HybridRetriever.search`.  p50, mean and p95 ms per query over
the eval questions, warm.  The query vector is precomputed (bench/scale.py), so embedding is not in it.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--size", type=int, required=True, help="the chunk count the data was built with")
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--label", default="current")
    args = parser.parse_args()

    import scale

    from tutor.index import bm25, retriever, store
    from tutor.index.live import LiveIndex

    spent: dict[str, float] = defaultdict(float)

    def timed(owner: Any, attr: str, stage: str) -> None:
        inner: Callable[..., Any] = getattr(owner, attr)

        def wrapper(*a: Any, **kw: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return inner(*a, **kw)
            finally:
                spent[stage] += time.perf_counter() - t0

        setattr(owner, attr, wrapper)

    timed(retriever.HybridRetriever, "_route", "route")
    timed(store.ChromaStore, "query", "dense")
    timed(bm25.BM25Index, "search", "bm25")
    timed(retriever, "rrf_fuse", "rrf")
    timed(retriever, "dedup", "dedup")
    if hasattr(bm25.BM25Index, "lookup"):  # dense hits' texts from the records (inside "dense")
        timed(bm25.BM25Index, "lookup", "dense_records")

    qs = scale.questions(args.queries)
    qv = scale.query_vectors(scale.vectors(args.size), len(qs))
    embedder = scale._FixedEmbedder({q: v.tolist() for q, v in zip(qs, qv, strict=True)})
    settings = scale._settings(args.data)
    index = LiveIndex(settings)
    hybrid = retriever.build_retriever("hybrid", index, lambda: embedder, settings.retrieval, k=5)
    for q in qs[:5]:
        hybrid.search(q)
    rows: dict[str, list[float]] = defaultdict(list)
    for q in qs:
        spent.clear()
        t0 = time.perf_counter()
        hybrid.search(q)
        total = time.perf_counter() - t0
        for stage in ("route", "dense", "dense_records", "bm25", "rrf", "dedup"):
            rows[stage].append(spent[stage] * 1000)
        rows["other"].append((total - sum(spent.values()) + spent["dense_records"]) * 1000)
        rows["total"].append(total * 1000)
    out = {
        stage: {
            "p50": round(statistics.median(v), 2),
            "mean": round(statistics.mean(v), 2),
            "p95": round(sorted(v)[int(0.95 * (len(v) - 1))], 2),
        }
        for stage, v in rows.items()
    }
    print(json.dumps({"label": args.label, "size": args.size, "ms": out}))


if __name__ == "__main__":
    main()
