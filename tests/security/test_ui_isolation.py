"""Learner isolation and hostile input against a real `tutor ui` process on loopback, through raw
Gradio API calls (gradio_client and httpx): what the page sends never picks the learner, no other
learner's id or any secret reaches the page, uploads are refused, oversized input is refused."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.servers import free_port, wait_http

pytestmark = [pytest.mark.slow, pytest.mark.integration]

OTHER = "alice-private-7731"
NEXT = "我接下来学什么？"  # answered by the planner: no index needed


def _seed_other_learner(data: Path, models_dir: Path) -> None:
    from tests.conftest import make_settings
    from tutor.services import build_services

    svc = build_services(make_settings(data, models_dir))
    svc.ensure_learner(OTHER)
    svc.history.append(OTHER, "user", "alice's private question")


@contextmanager
def _ui_server(root: Path, models_dir: Path, auth: list[str] | None) -> Iterator[tuple[str, Path]]:
    """`tutor ui` with the test profile over a fresh data dir under `root`; `auth` as ui.auth."""
    data = root / "data"
    _seed_other_learner(data, models_dir)
    port = free_port()
    env = {
        **os.environ,
        "TUTOR_PROFILE": "default,test",
        "TUTOR_DATA_DIR": str(data),
        "TUTOR_MODELS_DIR": str(models_dir),
        "HF_HUB_OFFLINE": "1",
        "GRADIO_ANALYTICS_ENABLED": "False",
    }
    if auth:
        env["TUTOR_UI__AUTH"] = json.dumps(auth)
    log = (root / "ui.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "tutor.cli", "ui", "--port", str(port), "--no-ingest"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        wait_http(url, proc, timeout_s=180)
        yield url, data
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


# One server per module and setting (a `tutor ui` start costs seconds to a minute on the shared cores):
# the tests without login share one; each speaks only as "me" and asserts only what no other test
# changes (the other learner untouched, nothing stored over the limit, the page's config).
@pytest.fixture(scope="module")
def ui(tmp_path_factory: pytest.TempPathFactory, models_dir: Path) -> Iterator[tuple[str, Path]]:
    """`tutor ui` without login."""
    with _ui_server(tmp_path_factory.mktemp("ui"), models_dir, None) as served:
        yield served


@pytest.fixture(scope="module")
def ui_login(tmp_path_factory: pytest.TempPathFactory, models_dir: Path) -> Iterator[tuple[str, Path]]:
    """`tutor ui` with two users who log in (ui.auth)."""
    with _ui_server(
        tmp_path_factory.mktemp("ui-login"), models_dir, ["amy:pw-amy-1", "bob:pw-bob-2"]
    ) as served:
        yield served


def _history(data: Path) -> dict[str, list[str]]:
    with sqlite3.connect(data / "learners.sqlite") as conn:
        rows = conn.execute("SELECT learner_id, content FROM messages ORDER BY id").fetchall()
    out: dict[str, list[str]] = {}
    for learner, content in rows:
        out.setdefault(learner, []).append(content)
    return out


def _chat(client, message: str) -> str:
    messages, _sources, _box = client.predict(message, [], api_name="/chat")
    content = messages[-1]["content"]
    return content if isinstance(content, str) else "".join(b.get("text", "") for b in content)


def test_without_login_the_ui_is_single_user_and_the_page_cannot_pick_a_learner(ui) -> None:
    from gradio_client import Client

    url, data = ui
    config = httpx.get(url + "config", timeout=30).text
    assert OTHER not in config and "secret" not in config.lower()
    assert not (data / "ui-secret").exists()
    client = Client(url, verbose=False)
    assert "技能点" in _chat(client, NEXT)
    # a raw queue call that adds a learner id the page used to send: refused or ignored, never honoured
    with httpx.Client(base_url=url, timeout=60) as http:
        r = http.post("gradio_api/call/chat", json={"data": [NEXT, [], OTHER]})
        if r.status_code == 200:
            event = r.json()["event_id"]
            http.get(f"gradio_api/call/chat/{event}").raise_for_status()
        for path in ("gradio_api/info", "config", "gradio_api/openapi.json"):
            page = http.get(path)
            assert OTHER not in page.text
    history = _history(data)
    assert history[OTHER] == ["alice's private question"]  # untouched
    assert any(NEXT == m for m in history.get("me", []))
    assert set(history) <= {"me", OTHER}


def test_uploads_are_refused(ui) -> None:
    url, _ = ui
    r = httpx.post(url + "gradio_api/upload", files={"files": ("x.txt", b"hello", "text/plain")}, timeout=30)
    assert r.status_code == 403


def test_oversized_and_malformed_input_is_refused_and_not_stored(ui) -> None:
    from gradio_client import Client

    url, data = ui
    client = Client(url, verbose=False)
    reply = _chat(client, "混" * 1_000_000)
    assert "too long" in reply or "太长" in reply
    stored = _history(data).get("me", [])
    assert all(len(m) <= 20_010 for m in stored) and not any("混" * 3000 in m for m in stored)
    with httpx.Client(base_url=url, timeout=60) as http:  # a history that is not a list of messages
        r = http.post(
            "gradio_api/call/chat", json={"data": [NEXT, [{"role": "system", "content": 7}] * 5000]}
        )
        if r.status_code == 200:
            http.get(f"gradio_api/call/chat/{r.json()['event_id']}")
    assert OTHER in _history(data)


def test_with_login_each_user_reaches_only_their_own_learner(ui_login) -> None:
    from gradio_client import Client

    url, data = ui_login
    assert httpx.get(url + "gradio_api/info", timeout=30).status_code in (401, 403)
    amy = Client(url, auth=("amy", "pw-amy-1"), verbose=False)
    bob = Client(url, auth=("bob", "pw-bob-2"), verbose=False)
    _chat(amy, NEXT)
    _chat(bob, "What should I learn next?")
    history = _history(data)
    assert history["amy"] == [NEXT, history["amy"][1]] and history["bob"][0] == "What should I learn next?"
    with httpx.Client(base_url=url, timeout=60) as http:
        assert http.post("login", data={"username": "amy", "password": "pw-amy-1"}).status_code == 200
        config = http.get("config").text
    assert "bob" not in json.loads(config).get("username", "") and OTHER not in config
    assert "pw-amy-1" not in config and "pw-bob-2" not in config


def test_learner_ids_are_validated() -> None:
    from tutor.curriculum.progress import validate_learner_id
    from tutor.errors import ProgressError

    assert validate_learner_id("amy.chen@lab-2") == "amy.chen@lab-2"
    assert validate_learner_id("小明") == "小明"
    for bad in ("", "x" * 65, "a" * 1_000_000, "<script>", "a b", "amy\n", "../etc"):
        with pytest.raises(ProgressError, match="not allowed"):
            validate_learner_id(bad)
