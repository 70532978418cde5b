"""`tutor ask` / `tutor retrieve` through a real resident `tutor serve --no-ui` (found through the data
dir's serve.json), against the same commands answered in-process: same output, the path named by -v,
fallbacks when the server is gone, stale or stops mid-answer, and a refused key."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.integration.api_fixtures import copy_small_index
from tests.servers import free_port, start_tutor_serve, stop, tutor_env, wait_http

pytestmark = [pytest.mark.slow, pytest.mark.integration]

QUESTION = "RAG 检索增强要学哪些内容？"
VIA_SERVER = "Answered by the tutor server at"
IN_PROCESS = "Answered in-process"


@dataclass
class Served:
    url: str
    data: Path
    spare: Path  # a copy of the index no server announces itself in
    env: dict[str, str]
    proc: subprocess.Popen


def _env(data: Path, corpus: Path, models_dir: Path, **extra: str) -> dict[str, str]:
    return tutor_env(
        data,
        models_dir,
        CORPUS__PATHS=f'["{corpus}"]',
        CURRICULUM__ROADMAP=str(corpus / "ai-learning-roadmap.md"),
        **extra,
    )


def _serve(env: dict[str, str], log: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc = start_tutor_serve(env, port, "--no-ui", "--no-ingest", log=log)
    url = f"http://127.0.0.1:{port}"
    wait_http(f"{url}/readyz", proc, timeout_s=180)
    return proc, url


@pytest.fixture(scope="module")
def served(
    tmp_path_factory: pytest.TempPathFactory, models_dir: Path, small_index_template: tuple[Path, Path]
) -> Iterator[Served]:
    root = tmp_path_factory.mktemp("cli-server")
    data, corpus = copy_small_index(small_index_template, root)
    spare = root / "spare"
    shutil.copytree(data, spare)
    env = _env(data, corpus, models_dir)
    proc, url = _serve(env, root / "serve.log")
    try:
        yield Served(url, data, spare, env, proc)
    finally:
        stop(proc)


def _tutor(env: dict[str, str], *args: str, **settings: str) -> subprocess.CompletedProcess[str]:
    env = {**env, **{f"TUTOR_{k}": v for k, v in settings.items()}}
    command = [sys.executable, "-m", "tutor.cli", "-v", *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=900, check=False)


def _answer_json(out: subprocess.CompletedProcess[str]) -> dict:
    assert out.returncode == 0, out.stderr
    payload = json.loads(out.stdout)
    payload.pop("timings")  # how long each step took is the only thing allowed to differ
    return payload


def test_the_server_announces_itself_privately(served: Served) -> None:
    path = served.data / "serve.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    ann = json.loads(path.read_text())
    assert ann["url"] == served.url and ann["pid"] == served.proc.pid
    assert ann["profiles"] == ["default", "test"]
    assert ann["token"] not in (served.data.parent / "serve.log").read_text()  # never logged


def test_ask_goes_through_the_server_and_answers_as_in_process(served: Served) -> None:
    remote = _tutor(served.env, "ask", QUESTION, "--json")
    assert VIA_SERVER in remote.stderr and served.url in remote.stderr
    local = _tutor(served.env, "ask", QUESTION, "--json", CLI__SERVER="never")
    assert IN_PROCESS in local.stderr and VIA_SERVER not in local.stderr
    answer = _answer_json(remote)
    assert answer["route"] == "material" and answer["sources"] and answer["text"]
    assert answer == _answer_json(local)
    # the printed answer (Markdown, sources, follow-ups) is the same text either way
    remote_text = _tutor(served.env, "ask", QUESTION)
    local_text = _tutor(served.env, "ask", QUESTION, CLI__SERVER="never")
    assert VIA_SERVER in remote_text.stderr and IN_PROCESS in local_text.stderr
    assert remote_text.returncode == local_text.returncode == 0
    assert remote_text.stdout == local_text.stdout and "[1]" in remote_text.stdout


def test_retrieve_goes_through_the_server_and_answers_as_in_process(served: Served) -> None:
    args = ("retrieve", QUESTION, "-k", "4", "--json")
    remote = _tutor(served.env, *args)
    assert remote.returncode == 0, remote.stderr
    assert VIA_SERVER in remote.stderr
    explicit = _tutor(served.env, *args, CLI__SERVER=served.url)  # the URL given: the token still fits
    assert VIA_SERVER in explicit.stderr
    local = _tutor(served.env, *args, CLI__SERVER="never")
    assert IN_PROCESS in local.stderr
    hits = json.loads(remote.stdout)
    assert len(hits) == 4 and list(hits[0]) == [
        "id",
        "score",
        "doc",
        "title",
        "headings",
        "lines",
        "text",
        "links",
    ]
    assert hits == json.loads(explicit.stdout) == json.loads(local.stdout)


def test_bad_input_is_refused_the_same_way(served: Served) -> None:
    remote = _tutor(served.env, "ask", "   ")
    assert remote.returncode == 2 and "empty question" in remote.stderr


def test_a_wrong_token_is_refused(served: Served) -> None:
    for token in ("tl-" + "x" * 43, "tk-nope-nope"):
        response = httpx.post(
            f"{served.url}/api/retrieve",
            json={"question": QUESTION},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert response.status_code == 401
    refused = _tutor(served.env, "retrieve", QUESTION, CLI__SERVER=served.url, CLI__API_KEY="tk-nope-nope")
    assert refused.returncode == 2
    assert "refused this CLI" in refused.stderr and "TUTOR_CLI__API_KEY" in refused.stderr
    assert "tk-nope-nope" not in refused.stderr


def test_a_stale_announcement_falls_back_to_in_process(served: Served) -> None:
    env = {**served.env, "TUTOR_DATA_DIR": str(served.spare)}
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    for pid, url in ((dead.pid, served.url), (os.getpid(), f"http://127.0.0.1:{free_port()}")):
        announcement = {"url": url, "pid": pid, "token": "tl-stale", "profiles": ["default", "test"]}
        (served.spare / "serve.json").write_text(json.dumps(announcement))
        out = _tutor(env, "retrieve", QUESTION, "-k", "3", "--json")
        assert out.returncode == 0, out.stderr
        assert IN_PROCESS in out.stderr and VIA_SERVER not in out.stderr
        assert len(json.loads(out.stdout)) == 3
    (served.spare / "serve.json").unlink()


def _asked(data: Path, learner: str) -> bool:
    """Has the server begun the answer (the /api/ask route creates the learner before answering)?"""
    try:
        with sqlite3.connect(f"file:{data / 'learners.sqlite'}?mode=ro", uri=True) as conn:
            return conn.execute("select 1 from learners where id = ?", (learner,)).fetchone() is not None
    except sqlite3.Error:
        return False


def test_a_server_that_dies_mid_answer_and_a_clean_stop(served: Served, tmp_path: Path) -> None:
    env = {**served.env, "TUTOR_DATA_DIR": str(served.spare)}
    proc, url = _serve(env, tmp_path / "serve.log")
    try:
        # a fresh server loads its embedder on the first question: seconds in which to kill it
        cli = subprocess.Popen(
            [sys.executable, "-m", "tutor.cli", "-v", "ask", QUESTION, "--learner", "mid", "--json"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        deadline = time.monotonic() + 120
        while not _asked(served.spare, "mid") and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _asked(served.spare, "mid"), "the question never reached the server"
        proc.send_signal(signal.SIGKILL)
        stdout, stderr = cli.communicate(timeout=900)
    finally:
        stop(proc)
    assert cli.returncode == 0, stderr
    said = " ".join(stderr.split())  # the console wraps the warning at its width
    assert "stopped answering" in said and "answering in-process instead" in said
    assert VIA_SERVER not in stderr
    answer = json.loads(stdout)
    assert answer["route"] == "material" and answer["text"] and answer["question"] == QUESTION
    assert (served.spare / "serve.json").exists()  # killed: the file is left behind, and now stale
    (served.spare / "serve.json").unlink()
    # a clean stop (SIGTERM) withdraws the announcement
    proc, url = _serve(env, tmp_path / "serve2.log")
    assert json.loads((served.spare / "serve.json").read_text())["url"] == url
    proc.terminate()
    proc.wait(timeout=60)
    assert not (served.spare / "serve.json").exists()


def test_next_goes_through_the_server_and_answers_as_in_process(served: Served) -> None:
    for args in (("--known", "1,2,3", "--json"), ("--text", "我会 Python 和 PyTorch，想学 RAG"), ()):
        remote = _tutor(served.env, "next", *args)
        local = _tutor(served.env, "next", *args, CLI__SERVER="never")
        assert remote.returncode == local.returncode == 0, remote.stderr + local.stderr
        assert VIA_SERVER in remote.stderr and IN_PROCESS in local.stderr
        assert remote.stdout == local.stdout and remote.stdout.strip()
    plan = json.loads(_tutor(served.env, "next", "--known", "1,2,3", "--json").stdout)
    assert plan["recommendations"] and not plan["finished_all"]
    for way in ({}, {"CLI__SERVER": "never"}):  # a learner nobody created: the same advice either way
        missing = _tutor(served.env, "next", "--learner", "nobody-yet", **way)
        said = " ".join(missing.stderr.split())  # the console wraps the message at its width
        assert missing.returncode == 2 and "tutor progress set --learner nobody-yet" in said


def _chat(env: dict[str, str], lines: list[str], **settings: str) -> subprocess.CompletedProcess[str]:
    env = {**env, **{f"TUTOR_{k}": v for k, v in settings.items()}, "COLUMNS": "100"}
    command = [sys.executable, "-m", "tutor.cli", "-v", "chat", "--learner", "chatter"]
    stdin = "\n".join(lines) + "\n"
    return subprocess.run(
        command, env=env, input=stdin, capture_output=True, text=True, timeout=900, check=False
    )


def test_chat_goes_through_the_server_with_its_history(served: Served) -> None:
    lines = ["RAG 检索增强要学哪些内容？", "它之后学什么？", "/clear", "向量数据库是什么？", "/quit"]
    remote = _chat(served.env, lines)
    local = _chat(served.env, lines, CLI__SERVER="never")
    assert remote.returncode == local.returncode == 0, remote.stderr + local.stderr
    assert remote.stderr.count(VIA_SERVER) == 3 and IN_PROCESS not in remote.stderr
    assert local.stderr.count(IN_PROCESS) == 3 and VIA_SERVER not in local.stderr
    assert remote.stdout == local.stdout  # the follow-up was read in its context the same way
    assert "history cleared" in remote.stdout and remote.stdout.count("you>") == 5


HEAVY = ("torch", "sentence_transformers", "transformers")
# runs the CLI as `python -m tutor.cli` does, then says which heavy modules the process had loaded
_WATCHED_CLI = (
    "import atexit, runpy, sys\n"
    "atexit.register(lambda: print('LOADED', sorted(m for m in {heavy!r} if m in sys.modules), file=sys.stderr))\n"
    "runpy.run_module('tutor.cli', run_name='__main__', alter_sys=True)\n"
)


def test_in_process_retrieve_with_vectors_on_disk_never_imports_torch(served: Served, tmp_path: Path) -> None:
    """The query embeds through ONNX Runtime and its saved tokenizer; the routing cards' and blocks'
    vectors come from the disk store (filled by the first process): torch is needed by neither."""
    data = tmp_path / "data"
    shutil.copytree(served.spare, data, ignore=shutil.ignore_patterns("serve.json"))
    env = {**served.env, "TUTOR_DATA_DIR": str(data), "TUTOR_CLI__SERVER": "never"}
    command = [sys.executable, "-c", _WATCHED_CLI.format(heavy=HEAVY), "-v", "retrieve", QUESTION, "--json"]
    runs = [subprocess.run(command, env=env, capture_output=True, text=True, timeout=900) for _ in range(2)]
    for run in runs:
        assert run.returncode == 0, run.stderr
        assert IN_PROCESS in run.stderr
    assert "LOADED []" in runs[1].stderr, runs[1].stderr[-2000:]  # warm store: no torch at all
    assert "single queries embed with ONNX Runtime" in runs[1].stderr
    assert json.loads(runs[0].stdout) == json.loads(runs[1].stdout)
