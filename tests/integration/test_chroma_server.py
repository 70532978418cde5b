"""Server mode: a real `chroma run` process on a free loopback port."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import CORPUS, make_settings
from tests.servers import free_port
from tutor.errors import IndexStoreError
from tutor.services import build_services

pytestmark = [pytest.mark.slow, pytest.mark.integration]


@pytest.fixture
def chroma_server(tmp_path: Path):
    port = free_port()
    exe = Path(sys.executable).with_name("chroma")
    proc = subprocess.Popen(
        [str(exe), "run", "--path", str(tmp_path / "server"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.2)
    else:
        proc.kill()
        pytest.fail("chroma run did not come up in 60 s")
    yield port
    proc.terminate()
    proc.wait(timeout=30)


def test_ingest_and_retrieve_through_chroma_server(
    tmp_path: Path, models_dir: Path, embedder, chroma_server
) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(CORPUS / "ai-learning-roadmap.md", corpus)
    settings = make_settings(
        tmp_path / "data",
        models_dir,
        corpus={"paths": [corpus]},
        vector_store={"kind": "chroma-http", "port": chroma_server},
    )
    svc = build_services(settings, embedder=embedder)
    report = svc.ingest()
    assert report.count("added") == 2 and report.total_chunks > 50  # the roadmap and its resource cards
    assert svc.store.where == f"http://127.0.0.1:{chroma_server}"
    assert not (tmp_path / "data" / "chroma").exists()  # nothing written to the embedded store
    hits = svc.retrieve("有哪些向量数据库可以选？", k=5)
    assert any("技能点 11：RAG 检索增强 ⭐⭐⭐⭐⭐" in h.headings for h in hits)
    again = build_services(settings, embedder=embedder).ingest()
    assert again.count("unchanged") == 2 and again.count("added") == 0


def test_unreachable_server_is_a_clear_error(tmp_path: Path, models_dir: Path) -> None:
    settings = make_settings(
        tmp_path / "data", models_dir, vector_store={"kind": "chroma-http", "port": free_port()}
    )
    with pytest.raises(IndexStoreError, match=r"Cannot reach the Chroma server .*chroma run"):
        _ = build_services(settings).store
