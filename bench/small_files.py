"""Per-file cost of ingesting many tiny files (issue 14: 2,000 tiny files took over 20 minutes).

Usage:  .venv/bin/python bench/small_files.py [--n 2000] [--profile] [--models-dir DIR]

Writes N one-paragraph Markdown files into a temporary corpus, ingests them into a fresh data dir
with the real default embedder (model converted once into --models-dir), and prints the total
and per-file time of the cold ingest and of a no-op re-ingest.  --profile prints the top functions
by cumulative time (cProfile) of the cold ingest.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
REPO = Path(__file__).resolve().parents[1]
TOPICS = ["向量数据库", "混合检索", "微调", "量化", "提示工程", "评测", "分词", "注意力机制"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--models-dir", type=Path, default=REPO / "data" / "models")
    args = parser.parse_args()

    from tutor.config import load_settings
    from tutor.index.embeddings import build_embeddings
    from tutor.services import build_services

    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        corpus.mkdir()
        for i in range(args.n):
            topic = TOPICS[i % len(TOPICS)]
            (corpus / f"note-{i:05d}.md").write_text(
                f"# 笔记 {i}：{topic}\n\n{topic}的第 {i} 条要点：先理解概念，再动手做一个小实验。\n",
                encoding="utf-8",
            )
        settings = load_settings(
            ["default"], data_dir=Path(tmp) / "data", models_dir=args.models_dir, corpus={"paths": [corpus]}
        )
        embedder = build_embeddings(settings.embeddings, args.models_dir)
        embedder.embed_documents(["warm-up"])  # model load is not per-file cost
        svc = build_services(settings, embedder=embedder)
        profiler = cProfile.Profile() if args.profile else None
        start = time.perf_counter()
        if profiler:
            profiler.enable()
        report = svc.ingest()
        if profiler:
            profiler.disable()
        cold = time.perf_counter() - start
        start = time.perf_counter()
        again = svc.ingest()
        noop = time.perf_counter() - start
        result = {
            "files": args.n,
            "added": report.count("added"),
            "failed": len(report.failed),
            "cold_s": round(cold, 2),
            "cold_ms_per_file": round(1000 * cold / args.n, 1),
            "noop_s": round(noop, 2),
            "noop_ms_per_file": round(1000 * noop / args.n, 2),
            "unchanged": again.count("unchanged"),
        }
        print(json.dumps(result, indent=2))
        if profiler:
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)


if __name__ == "__main__":
    main()
