"""Answer latency, measured side by side against plain retrieval (the baseline).

Usage:  .venv/bin/python bench/answer_latency.py [--data-dir DIR] [--llama-server URL] [--out bench/results]
        [--label NAME]

For each question (Chinese and English, material and next-step): (a) `retrieve` alone, the
baseline; (b) a full answer with llm.kind=none (extractive); (c) with --llama-server, a full
answer from that OpenAI-compatible server (start one with `python -m llama_cpp.server --model
X.gguf --port 8765 --n_ctx 2048`).  Warm process: the embedder is loaded once before timing.
Prints medians and ratios to the baseline and writes answer_latency.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
REPO = Path(__file__).resolve().parents[1]
QUESTIONS = [
    "RAG 里怎么做混合检索？",
    "有哪些向量数据库可以选？",
    "LoRA 微调需要多少显存？",
    "Transformer 的自注意力机制是什么？",
    "How does self-attention work?",
    "What is retrieval augmented generation?",
    "我刚学完 Python 基础，接下来学什么？",
    "What should I learn next?",
]


def _time(fn, repeats: int) -> list[float]:
    out = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def main() -> None:
    from rich.console import Console
    from rich.table import Table

    from tutor.app import build
    from tutor.config import load_settings

    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", type=Path, default=REPO / "data")
    parser.add_argument("--llama-server", help="/v1 URL of an OpenAI-compatible server")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results")
    parser.add_argument("--label", default="", help="answer_latency-LABEL.json (runs side by side)")
    args = parser.parse_args()

    base = build(load_settings(data_dir=args.data_dir, llm={"kind": "none"}))
    base.ingest()
    base.ask("warm-up: RAG 是什么？")  # loads the embedder, BM25, router examples
    modes = {"retrieve (baseline)": lambda q: base.retrieve(q), "answer, no LLM": lambda q: base.ask(q)}
    if args.llama_server:
        served = build(
            load_settings(
                data_dir=args.data_dir,
                llm={
                    "kind": "openai",
                    "base_url": args.llama_server,
                    "max_tokens": 64,
                    "context_window": 2048,
                },
            ),
            embedder=base.embedder,
        )
        modes["answer, llama.cpp server (64 tokens)"] = lambda q: served.ask(q)
    results: dict[str, dict[str, float]] = {}
    for name, fn in modes.items():
        samples = [
            t
            for q in QUESTIONS
            for t in _time(lambda q=q, fn=fn: fn(q), args.repeats if "llama" not in name else 1)
        ]
        results[name] = {
            "median_s": statistics.median(samples),
            "p90_s": sorted(samples)[int(0.9 * (len(samples) - 1))],
            "p95_s": sorted(samples)[round(0.95 * (len(samples) - 1))],
            "n": len(samples),
        }
    baseline = results["retrieve (baseline)"]["median_s"]
    table = Table(title=f"Answer latency, {len(QUESTIONS)} questions (warm process)")
    for col in ("mode", "median s", "p90 s", "p95 s", "× baseline"):
        table.add_column(col)
    for name, r in results.items():
        r["ratio"] = r["median_s"] / baseline
        table.add_row(
            name, f"{r['median_s']:.3f}", f"{r['p90_s']:.3f}", f"{r['p95_s']:.3f}", f"{r['ratio']:.1f}"
        )
    Console().print(table)
    args.out.mkdir(parents=True, exist_ok=True)
    name = f"answer_latency-{args.label}.json" if args.label else "answer_latency.json"
    (args.out / name).write_text(json.dumps(results, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
