"""BM25 at scale: the project's search against bm25s' own call, its numba backend and query pruning.

Usage (after `bench/scale.py --keep` built a BM25 index of that size; numba is optional):
  PYTHONPATH=src .venv/bin/python bench/bm25_backends.py \
      --index /work/scale-data/n1000000/current/index/local/multilingual-e5-small/bm25 --queries 100

Every variant answers the same query in turn (round-robin per query, so a load swing on a shared
machine hits them all alike), with the project's default filter (resource cards excluded, a
precomputed mask).  Variants: `threads1` is the call the project made before (bm25s `retrieve` with
n_threads=1: a thread pool per query), `numpy_n_threads0` the same without the pool, `project` is `BM25Index.search` (that, plus reading the k records), `numba` is bm25s' numba backend on the same index (when numba imports), `pruned`
drops query tokens that occur in more than `--prune-df` of the chunks (their postings are the long
ones) and reports how many of the exact top k it keeps.  Results: bench/results/bm25_backends.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))


def _pcts(ms: list[float]) -> dict[str, float]:
    ms = sorted(ms)
    return {"p50": round(statistics.median(ms), 2), "p95": round(ms[int(0.95 * (len(ms) - 1))], 2)}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--index", type=Path, required=True, help="a project BM25 directory (bm25/)")
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--k", type=int, default=30)
    parser.add_argument("--prune-df", type=float, default=0.05, help="drop tokens in more than this share")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "bm25_backends.json")
    args = parser.parse_args()

    import bm25s
    import numpy as np
    from scale import questions

    from tutor.index.bm25 import BM25Index, top_positive
    from tutor.index.tokenize import tokenize
    from tutor.resources.cards import CARDS_DOC

    index = BM25Index.load(args.index)
    if index is None:
        raise SystemExit(f"No BM25 index at {args.index}: run bench/scale.py --keep first.")
    raw = index.retriever
    where = {"doc": {"$ne": CARDS_DOC}}
    mask = index.mask(where)
    qs = questions(args.queries)
    toks = [ts for ts in ([t for t in tokenize(q) if t in raw.vocab_dict] for q in qs) if ts]
    indptr = raw.scores["indptr"]
    df = {t: int(indptr[i + 1] - indptr[i]) if i + 1 < len(indptr) else 0 for t, i in raw.vocab_dict.items()}
    limit = args.prune_df * len(index.ids)
    pruned = [[t for t in ts if df[t] <= limit] or ts for ts in toks]

    def threads1(i: int) -> list[int]:
        d, _ = raw.retrieve([toks[i]], k=args.k, show_progress=False, n_threads=1, weight_mask=mask)
        return [int(x) for x in d[0]]

    def numpy0(i: int) -> list[int]:
        d, _ = raw.retrieve([toks[i]], k=args.k, show_progress=False, n_threads=0, weight_mask=mask)
        return [int(x) for x in d[0]]

    def project(i: int) -> list[str]:
        return [h.id for h in index.search(" ".join(toks[i]), args.k, where)]

    def bm25s_scores_top_positive(i: int) -> list[int]:  # bm25s' scores, the project's exact top-k
        scores = raw.get_scores_from_ids(raw.get_tokens_ids(toks[i]), weight_mask=mask)
        return [row for row, _ in top_positive(scores, args.k)]

    def project_before(i: int) -> list[int]:  # BM25Index.search before: bm25s' top-k, then the records
        d, sc = raw.retrieve([toks[i]], k=args.k, show_progress=False, n_threads=0, weight_mask=mask)
        rows = [int(x) for x, v in zip(d[0], sc[0], strict=True) if v > 0]
        index.records.fetch(rows)
        return rows

    def prune(i: int) -> list[int]:
        d, _ = raw.retrieve([pruned[i]], k=args.k, show_progress=False, n_threads=0, weight_mask=mask)
        return [int(x) for x in d[0]]

    variants: dict[str, Any] = {"threads1": threads1, "numpy_n_threads0": numpy0, "project": project}
    variants["project_before"] = project_before
    variants["top_positive"] = bm25s_scores_top_positive
    variants["pruned"] = prune
    # questions with no token the index knows are left out: `queries` counts the others
    out: dict[str, Any] = {"chunks": len(index.ids), "k": args.k, "queries": len(toks)}
    try:
        import numba

        t0 = time.perf_counter()
        fast = bm25s.BM25.load(
            str(args.index / "bm25"), show_progress=False, override_params={"backend": "numba"}
        )
        fast.backend = "numba"
        fast.retrieve([toks[0]], k=args.k, show_progress=False, n_threads=1, weight_mask=mask)
        out["numba"] = {
            "version": numba.__version__,
            "load_and_compile_s": round(time.perf_counter() - t0, 2),
        }

        def numba_(i: int) -> list[int]:
            d, _ = fast.retrieve([toks[i]], k=args.k, show_progress=False, n_threads=1, weight_mask=mask)
            return [int(x) for x in np.asarray(d[0])]

        variants["numba"] = numba_
    except ImportError as exc:
        out["numba"] = {"skipped": str(exc)}
    for fn in variants.values():
        for i in range(min(5, len(toks))):
            fn(i)
    samples: dict[str, list[float]] = {name: [] for name in variants}
    cpu: dict[str, list[float]] = {name: [] for name in variants}
    agree: dict[str, list[float]] = {"pruned": [], "numba": [], "top_positive": []}
    same = {"scores_equal": 0, "ids_equal": 0, "ids_differ_only_in_ties": 0}
    for i in range(len(toks)):
        exact = set(numpy0(i))
        for name, fn in variants.items():
            t0, c0 = time.perf_counter(), time.process_time()
            got = fn(i)
            samples[name].append((time.perf_counter() - t0) * 1000)
            cpu[name].append((time.process_time() - c0) * 1000)
            if name in agree and exact:
                agree[name].append(len(exact & set(got)) / len(exact))
        _compare(raw, toks[i], mask, args.k, same)
    out["ms"] = {name: _pcts(s) for name, s in samples.items()}
    out["cpu_ms"] = {name: _pcts(s) for name, s in cpu.items()}
    out["top_k_kept"] = {name: round(statistics.mean(a), 4) for name, a in agree.items() if a}
    out["top_positive_vs_bm25s"] = same
    out["tokens_per_query"] = round(statistics.mean(len(t) for t in toks), 1)
    out["pruned_tokens_per_query"] = round(statistics.mean(len(t) for t in pruned), 1)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, indent=1))
    print(json.dumps(out))


def _compare(raw: Any, tokens: list[str], mask: Any, k: int, same: dict[str, int]) -> None:
    """Is `top_positive` bm25s' own top-k?  Same scores in the same order, same rows up to ties."""
    from tutor.index.bm25 import top_positive

    d, sc = raw.retrieve([tokens], k=k, show_progress=False, n_threads=0, weight_mask=mask)
    theirs = [(int(r), float(v)) for r, v in zip(d[0], sc[0], strict=True) if v > 0]
    ours = top_positive(raw.get_scores_from_ids(raw.get_tokens_ids(tokens), weight_mask=mask), k)
    scores_equal = [v for _, v in theirs] == [v for _, v in ours]
    same["scores_equal"] += scores_equal
    same["ids_equal"] += [r for r, _ in theirs] == [r for r, _ in ours]
    # rows may differ only where bm25s' order among equal scores is arbitrary, and at the cut
    cut = ours[-1][1] if ours else 0.0
    same["ids_differ_only_in_ties"] += scores_equal and _by_score(theirs, cut) == _by_score(ours, cut)


def _by_score(rows: list[tuple[int, float]], cut: float) -> dict[float, list[int]]:
    """Rows grouped by their score (sorted), leaving out the lowest score kept (ties cut there)."""
    return {v: sorted(r for r, w in rows if w == v) for _, v in rows if v != cut}


if __name__ == "__main__":
    main()
