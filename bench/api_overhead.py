"""The HTTP API's latency overhead, side by side with a direct chain call (the baseline).

Usage:  .venv/bin/python bench/api_overhead.py [--data-dir DIR] [--repeats 3] [--out bench/results]

One warm process, one `App` (llm.kind=none: extractive answers, so both sides do the same work):
(a) `app.ask(question)` directly, the baseline; (b) the same question through the API that
`tutor serve` runs (uvicorn on a loopback port in this process, `POST /v1/chat/completions`, the
openai client, non-streaming); (c) the same, streamed (time to the first content chunk, and total).
Calls alternate per question, so machine load hits both sides alike.  Prints medians and p95,
the overhead (API - direct) and the ratio, and writes api_overhead.json.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import threading
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
REPO = Path(__file__).resolve().parents[1]
QUESTIONS = [
    "RAG 里怎么做混合检索？",
    "有哪些向量数据库可以选？",
    "LoRA 微调需要多少显存？",
    "How does self-attention work?",
    "我刚学完 Python 基础，接下来学什么？",
    "What should I learn next?",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(api, port: int):  # noqa: ANN001, ANN202 - bench script
    import uvicorn

    server = uvicorn.Server(uvicorn.Config(api, host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    return server


def _stats(xs: list[float]) -> dict[str, float]:
    ordered = sorted(xs)
    return {
        "p50_ms": round(1000 * statistics.median(ordered), 1),
        "p95_ms": round(1000 * ordered[max(0, int(0.95 * len(ordered)) - 1)], 1),
        "mean_ms": round(1000 * statistics.fmean(ordered), 1),
    }


def _streamed(client, question: str) -> tuple[float, float]:  # noqa: ANN001 - bench script
    t0 = time.perf_counter()
    first = None
    for chunk in client.chat.completions.create(
        model="tutor", messages=[{"role": "user", "content": question}], stream=True
    ):
        if first is None and chunk.choices and chunk.choices[0].delta.content:
            first = time.perf_counter() - t0
    return first or 0.0, time.perf_counter() - t0


def main() -> None:
    import openai

    from tutor.api.factory import create_api, keys_for
    from tutor.app import build
    from tutor.config import load_settings

    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", type=Path, default=REPO / "data")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results")
    args = parser.parse_args()

    app = build(
        load_settings(data_dir=args.data_dir, llm={"kind": "none"}, api={"rate_limit": "100000/minute"})
    )
    app.ingest()
    port = _free_port()
    server = _serve(create_api(app), port)
    key = keys_for(app).create("bench").secret
    client = openai.OpenAI(base_url=f"http://127.0.0.1:{port}/v1", api_key=key, max_retries=0, timeout=300)
    for q in QUESTIONS:  # warm both paths (embedder, router, caches, connections)
        app.ask(q)
        client.chat.completions.create(model="tutor", messages=[{"role": "user", "content": q}])
    direct, api, first, streamed = [], [], [], []
    for _ in range(args.repeats):
        for q in QUESTIONS:
            t0 = time.perf_counter()
            app.ask(q)
            direct.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            client.chat.completions.create(model="tutor", messages=[{"role": "user", "content": q}])
            api.append(time.perf_counter() - t0)
            ttft, total = _streamed(client, q)
            first.append(ttft)
            streamed.append(total)
    server.should_exit = True
    overhead = [a - d for a, d in zip(api, direct, strict=True)]
    result = {
        "questions": len(QUESTIONS),
        "repeats": args.repeats,
        "direct app.ask": _stats(direct),
        "API, non-streaming": _stats(api),
        "API, streamed: first content": _stats(first),
        "API, streamed: total": _stats(streamed),
        "overhead per call (API - direct)": _stats(overhead),
        "ratio p50 API / direct": round(statistics.median(api) / statistics.median(direct), 3),
    }
    print(json.dumps(result, indent=2, ensure_ascii=False))
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "api_overhead.json").write_text(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
