"""20 learners at once through gradio_client, retrieval-only: all answered, latency distribution reported."""

from __future__ import annotations

import json
import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.e2e]

QUESTIONS = [
    "RAG 里怎么做混合检索？",
    "有哪些向量数据库可以选？",
    "What should I learn next?",
    "LoRA 微调需要多少显存？",
    "Transformer 的自注意力机制是什么？",
]


def test_twenty_simultaneous_chats_all_succeed(ui_server: str, artifacts: Path) -> None:
    from gradio_client import Client

    def one(i: int) -> tuple[float, str]:
        client = Client(ui_server, verbose=False)
        start = time.perf_counter()
        messages, _sources, _box = client.predict(
            QUESTIONS[i % len(QUESTIONS)], [], f"load-{i}", api_name="/chat"
        )
        elapsed = time.perf_counter() - start
        content = messages[-1]["content"]
        text = content if isinstance(content, str) else "".join(b.get("text", "") for b in content)
        return elapsed, text

    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(one, range(20)))
    latencies = sorted(r[0] for r in results)
    for _, text in results:
        assert text and "⚠️ " not in text[:3]
        assert "出处" in text or "Sources" in text or "技能点" in text, text[:200]
    q = statistics.quantiles(latencies, n=20)
    report = {
        "n": 20,
        "min_s": round(latencies[0], 2),
        "p50_s": round(statistics.median(latencies), 2),
        "p95_s": round(q[18], 2),
        "max_s": round(latencies[-1], 2),
    }
    (artifacts / "ui-concurrency.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    print("latency distribution (20 simultaneous chats):", report)
