"""One query at a time: ONNX Runtime fp32 export against sentence-transformers/torch, same process.

Usage:  PYTHONPATH=src .venv/bin/python bench/onnx_query.py [--models-dir DIR] [--n 60]

Embeds the first `--n` eval questions one by one through both (alternating, warm), prints p50/p95
per query and the ratio, and the fidelity (min cosine, same top-5 over 200 corpus passages).
Writes bench/results/onnx_query.json.
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--models-dir", type=Path, default=REPO / "data" / "models")
    parser.add_argument("--n", type=int, default=60)
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results")
    args = parser.parse_args()

    from tutor.config import EmbeddingSettings, load_settings
    from tutor.index.embeddings import build_embeddings
    from tutor.index.fidelity import corpus_passages, onnx_fidelity

    questions = []
    for name in ("retrieval.jsonl", "retrieval_blind.jsonl"):
        questions += [json.loads(x)["question"] for x in (REPO / "eval" / name).read_text().splitlines() if x]
    questions = questions[: args.n]
    embedder = build_embeddings(EmbeddingSettings(), args.models_dir)
    t0 = time.perf_counter()
    onnx = embedder._query_encoder()  # noqa: SLF001 - the bench times both paths of one embedder
    first_s = time.perf_counter() - t0
    assert onnx is not None, "the ONNX query embedder did not load; see the log"
    prefix = "query: "
    for q in questions[:5]:
        onnx.encode(prefix + q)
        embedder._encode([q], prefix, False)  # noqa: SLF001
    times: dict[str, list[float]] = {"torch": [], "onnx": []}
    for q in questions:
        t0 = time.perf_counter()
        embedder._encode([q], prefix, False)  # noqa: SLF001
        times["torch"].append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        onnx.encode(prefix + q)
        times["onnx"].append(time.perf_counter() - t0)

    def pct(xs: list[float]) -> dict[str, float]:
        ms = sorted(x * 1000 for x in xs)
        return {"p50": round(statistics.median(ms), 2), "p95": round(ms[int(0.95 * (len(ms) - 1))], 2)}

    result = {
        "questions": len(questions),
        "first_use_s (export if missing + session load)": round(first_s, 1),
        "torch_ms": pct(times["torch"]),
        "onnx_ms": pct(times["onnx"]),
        "speedup_p50": round(statistics.median(times["torch"]) / statistics.median(times["onnx"]), 2),
        "fidelity": onnx_fidelity(args.models_dir, questions, corpus_passages(load_settings(), 200)),
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "onnx_query.json").write_text(json.dumps(result, indent=1, ensure_ascii=False))
    print(json.dumps(result, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
