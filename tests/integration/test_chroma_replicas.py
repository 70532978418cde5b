"""Replicas share one index through a `chroma run` server (issue 15 item 3).

Process A (`tutor ingest`, a subprocess with the corpus) writes to the server; process B (this test,
with an empty data dir and no corpus) answers hybrid retrieval from what the server holds: the
manifest published there and a BM25 built from the collection's documents. A re-ingest by A is
picked up by B without a restart.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import make_settings
from tests.servers import chroma_server
from tutor.app import build
from tutor.errors import IndexStoreError

pytestmark = [pytest.mark.slow, pytest.mark.integration]

DOC_A = "# 向量数据库\n\n向量数据库保存嵌入向量，用于语义检索。Chroma 是一个开源的向量数据库。\n"
DOC_B = "# 分词\n\n中文检索需要分词，jieba 把句子切成词语，BM25 再按词语打分。\n"
NEW = "\n## 新增\n\nzorblaxian 是只在第二次导入时出现的词，用来检验副本是否重新加载。\n"


def _ingest(data: Path, corpus: Path, port: int) -> None:
    """`tutor ingest` in its own process (the deployment's ingest job)."""
    env = {
        **os.environ,
        "TUTOR_DATA_DIR": str(data),
        "TUTOR_CORPUS__PATHS": f'["{corpus}"]',
        "TUTOR_VECTOR_STORE__KIND": "chroma-http",
        "TUTOR_VECTOR_STORE__PORT": str(port),
    }
    done = subprocess.run(
        [sys.executable, "-m", "tutor.cli", "ingest"], env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr[-3000:]


def test_a_replica_serves_and_reloads_what_the_ingest_job_wrote(
    tmp_path: Path, models_dir: Path, embedder
) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "vectors.md").write_text(DOC_A, encoding="utf-8")
    (corpus / "tokens.md").write_text(DOC_B, encoding="utf-8")
    with chroma_server(tmp_path / "server") as port:
        replica_dir = tmp_path / "replica"  # empty: no corpus, no manifest file
        settings = make_settings(
            replica_dir,
            models_dir,
            corpus={"paths": [tmp_path / "nowhere"]},
            vector_store={"kind": "chroma-http", "port": port, "refresh_s": 0},
        )
        replica = build(settings, embedder=embedder)
        with pytest.raises(
            IndexStoreError,
            match=r"No index .* in the Chroma server http://127.0.0.1:\d+; run `tutor ingest`",
        ):
            replica.index.require()

        _ingest(tmp_path / "job", corpus, port)
        hits = replica.retrieve("jieba 分词", mode="hybrid")
        assert hits and hits[0].doc == "tokens"
        assert replica.retrieve("Chroma 向量数据库", k=1, mode="bm25")[0].doc == "vectors"
        assert replica.retrieve("zorblaxian", mode="bm25") == []
        first = set(replica.index.bm25().ids)

        (corpus / "tokens.md").write_text(DOC_B + NEW, encoding="utf-8")
        _ingest(tmp_path / "job-2", corpus, port)  # a fresh job container: its data dir is empty too

        again = replica.retrieve("zorblaxian", mode="hybrid")
        assert again and again[0].doc == "tokens" and "zorblaxian" in again[0].text
        assert set(replica.index.bm25().ids) != first
        assert not list(replica_dir.rglob("manifest.json")) and not list(replica_dir.rglob("*.md"))
