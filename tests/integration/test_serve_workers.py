"""`tutor serve --no-ui --workers 2` as real processes: two workers on one port over one index and
one learner store, the start-up ingest done once by the parent, each worker warmed without it; concurrent learners all get the same grounded
answer a single process gives, and every conversation is stored once in the shared store."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from tests.integration.api_fixtures import small_index
from tests.servers import free_port, start_tutor_serve, stop, tutor_env, wait_http

pytestmark = [pytest.mark.slow, pytest.mark.integration]

QUESTION = "RAG 检索增强要学哪些内容？"
LEARNERS = 8


def test_two_workers_share_the_index_and_the_learner_store(
    tmp_path: Path, models_dir: Path, embedder
) -> None:
    from tutor.curriculum.progress import ProgressStore
    from tutor.history import HistoryStore

    data, corpus = small_index(tmp_path, models_dir, embedder)
    env = tutor_env(
        data,
        models_dir,
        CORPUS__PATHS=f'["{corpus}"]',
        CURRICULUM__ROADMAP=str(corpus / "ai-learning-roadmap.md"),
        API__REQUIRE_KEYS="false",
        LOG_LEVEL="INFO",
    )
    port, log = free_port(), tmp_path / "serve.log"
    proc = start_tutor_serve(env, port, "--no-ui", "--workers", "2", log=log)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_http(f"{url}/readyz", proc, timeout_s=240)

        def ask(i: int) -> httpx.Response:
            body = {"model": "tutor", "messages": [{"role": "user", "content": QUESTION}], "user": f"l{i}"}
            return httpx.post(f"{url}/v1/chat/completions", json=body, timeout=180)

        with ThreadPoolExecutor(LEARNERS) as pool:
            replies = list(pool.map(ask, range(LEARNERS)))
    finally:
        stop(proc)
    text = log.read_text(encoding="utf-8", errors="replace")
    assert len(set(re.findall(r"Worker (\d+) starting", text))) == 2, text[-3000:]
    assert text.count("Checking the index for changes") == 1  # the parent, once; no worker ingests
    assert [r.status_code for r in replies] == [200] * LEARNERS, [r.text[:200] for r in replies]
    answers = {r.json()["choices"][0]["message"]["content"] for r in replies}
    assert len(answers) == 1 and next(iter(answers)).strip()  # the same answer, whichever worker
    assert all(r.json()["tutor"]["route"] == "material" for r in replies)
    history = HistoryStore(ProgressStore(data / "learners.sqlite"))
    for i in range(LEARNERS):
        stored = history.messages(f"l{i}")
        assert [m["role"] for m in stored] == ["user", "assistant"]
        assert stored[1]["content"] in answers
