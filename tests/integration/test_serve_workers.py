"""`tutor serve --no-ui --workers 2` as real processes: two workers on one port over one index and
one learner store, the start-up ingest done once by the parent, each worker warmed without it; concurrent learners all get the same grounded
answer a single process gives, and every conversation is stored once in the shared store."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from tests.integration.api_fixtures import copy_small_index
from tests.servers import free_port, start_tutor_serve, stop, tutor_env, wait_http

pytestmark = [pytest.mark.slow, pytest.mark.integration]

QUESTION = "RAG 检索增强要学哪些内容？"
LEARNERS = 8


def test_two_workers_share_the_index_and_the_learner_store(
    tmp_path: Path, models_dir: Path, small_index_template: tuple[Path, Path]
) -> None:
    from tutor.api import discovery
    from tutor.curriculum.progress import ProgressStore
    from tutor.history import HistoryStore

    data, corpus = copy_small_index(small_index_template, tmp_path)
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
        announced = discovery.read(data)  # local CLIs find the workers too
        assert announced is not None and announced.url == url and announced.pid == proc.pid

        def retrieve(token: str) -> httpx.Response:
            auth = {"Authorization": f"Bearer {token}"}
            return httpx.post(f"{url}/api/retrieve", json={"question": QUESTION}, headers=auth, timeout=180)

        local = retrieve(announced.token)  # the announced token reaches whichever worker answers
        assert local.status_code == 200 and local.json(), local.text[:300]
        assert retrieve(announced.token[:-4] + "xxxx").status_code == 401
    except BaseException:
        stop(proc)
        print("SERVER LOG", log.read_text(errors="replace")[-8000:])
        raise
    finally:
        stop(proc)
    assert discovery.read(data) is None  # withdrawn at the clean stop
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
