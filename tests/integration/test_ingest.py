"""Ingest the real corpus into a real on-disk Chroma, then change, break and interrupt it."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import CORPUS, make_settings
from tutor.errors import IndexStoreError
from tutor.services import build_services

pytestmark = [pytest.mark.slow, pytest.mark.integration]
TUTOR = [sys.executable, "-m", "tutor.cli"]


def test_vector_db_question_finds_the_rag_skill(corpus_services) -> None:
    hits = corpus_services.retrieve("有哪些向量数据库可以选？", k=5)
    assert len(hits) == 5
    assert all(h.doc and h.title and h.lines[0] <= h.lines[1] for h in hits)
    rag = [h for h in hits if h.doc == "ai-learning-roadmap" and any("RAG" in x for x in h.headings)]
    assert rag, [h.headings for h in hits]
    assert hits == sorted(hits, key=lambda h: -h.score)


def test_filters_by_document_and_stage(corpus_services) -> None:
    hits = corpus_services.retrieve("学习资源", k=5, where={"stage": 2})
    # roadmap passages under 阶段 2, or resource cards whose heading names 阶段 2
    assert hits and all(
        any(h_.startswith("阶段 2") or h_.endswith("阶段 2") for h_ in h.headings) for h in hits
    )
    hits = corpus_services.retrieve("中年危机", k=3, where={"doc": "programmer-midlife-crisis"})
    assert hits and {h.doc for h in hits} == {"programmer-midlife-crisis"}


def test_noop_reingest_loads_no_model(corpus_services, embedder) -> None:
    fresh = build_services(corpus_services.settings)  # no embedder injected
    report = fresh.ingest()
    assert {r.status for r in report.results} == {"unchanged"}
    assert "embedder" not in fresh.__dict__, "a no-op ingest must not load the embedding model"
    assert report.total_chunks == corpus_services.manifest().chunk_count


def _services(tmp_path: Path, models_dir: Path, embedder, corpus: Path):
    settings = make_settings(tmp_path / "data", models_dir, corpus={"paths": [corpus]})
    return build_services(settings, embedder=embedder)


def _small_corpus(tmp_path: Path) -> Path:
    dst = tmp_path / "corpus"
    dst.mkdir()
    for name in ("programmer-midlife-crisis.md", "tech-change-comeback.md"):
        shutil.copy(CORPUS / name, dst / name)
    return dst


def test_modify_and_delete_documents(tmp_path: Path, models_dir: Path, embedder) -> None:
    corpus = _small_corpus(tmp_path)
    svc = _services(tmp_path, models_dir, embedder, corpus)
    first = svc.ingest()
    assert first.count("added") == 2
    old_ids = set(svc.manifest().docs["tech-change-comeback"].chunk_ids)

    doc = corpus / "tech-change-comeback.md"
    doc.write_text(
        doc.read_text(encoding="utf-8") + "\n## 附加\n\n量子计算课程推荐：从线性代数开始打基础。\n",
        encoding="utf-8",
    )
    second = svc.ingest()
    assert {r.doc_id: r.status for r in second.results} == {
        "programmer-midlife-crisis": "unchanged",
        "tech-change-comeback": "updated",
    }
    new_ids = set(svc.manifest().docs["tech-change-comeback"].chunk_ids)
    assert new_ids.isdisjoint(old_ids)
    stored = set(svc.store.live_ids(svc.manifest().collection, svc.manifest().live_revs))
    assert stored == new_ids | set(svc.manifest().docs["programmer-midlife-crisis"].chunk_ids)
    assert svc.store.ids_not_in(svc.manifest().collection, svc.manifest().live_revs) == []
    hit = svc.retrieve("量子计算课程", k=1)[0]
    assert "量子计算" in hit.text and hit.headings[-1] == "附加"

    (corpus / "programmer-midlife-crisis.md").unlink()
    third = svc.ingest()
    assert {r.doc_id: r.status for r in third.results}["programmer-midlife-crisis"] == "removed"
    assert {h.doc for h in svc.retrieve("中年危机 职业瓶颈", k=5)} == {"tech-change-comeback"}


def test_rebuild_swaps_to_a_fresh_collection(tmp_path: Path, models_dir: Path, embedder) -> None:
    svc = _services(tmp_path, models_dir, embedder, _small_corpus(tmp_path))
    svc.ingest()
    before = svc.manifest().collection
    report = svc.ingest(rebuild=True)
    after = svc.manifest().collection
    assert report.count("added") == 2 and before != after
    assert after not in (None, "") and before not in svc.store.collection_names()
    assert svc.retrieve("中年危机", k=1)


def test_bad_inputs_fail_alone_and_lose_nothing(tmp_path: Path, models_dir: Path, embedder) -> None:
    corpus = _small_corpus(tmp_path)
    svc = _services(tmp_path, models_dir, embedder, corpus)
    svc.ingest()
    before = svc.manifest().chunk_count
    (corpus / "empty.md").write_bytes(b"")
    (corpus / "binary.md").write_bytes(bytes(range(256)) * 8)
    (corpus / "latin1.txt").write_bytes("Café — “x” ".encode("cp1252") * 5 + b"\x81\x8d")
    (corpus / "huge.md").write_text("# 大\n" + "字" * 400_000, encoding="utf-8")
    (corpus / "broken-fm.md").write_text("---\ntitle: [oops\n---\n# x\n", encoding="utf-8")
    os.symlink(corpus / "nowhere.md", corpus / "dangling.md")
    (corpus / "good-new.md").write_text("# 新文档\n\n向量数据库 Milvus 适合大规模检索。\n", encoding="utf-8")
    # a previously indexed document turning bad keeps its old, good version
    (corpus / "tech-change-comeback.md").write_bytes(b"\x00\x01binary now")

    result = subprocess.run(TUTOR + ["ingest"], capture_output=True, text=True, env=_env(svc), timeout=300)
    assert result.returncode == 1, result.stdout + result.stderr
    err = " ".join(result.stderr.split())
    for name, reason in [
        ("empty.md", "empty file"),
        ("binary.md", "binary file"),
        ("latin1.txt", "cannot decode"),
        ("huge.md", "MB limit"),
        ("broken-fm.md", "broken front matter"),
        ("dangling.md", "cannot read"),
        ("tech-change-comeback.md", "binary file"),
    ]:
        assert name in err and reason in err, (name, reason, err)
    manifest = svc.manifest()
    assert "good-new" in manifest.docs
    assert manifest.chunk_count == before + 1
    assert "tech-change-comeback" in manifest.docs
    assert any(h.doc == "tech-change-comeback" for h in svc.retrieve("技术变革 逆袭", k=5))


def _env(svc) -> dict[str, str]:
    env = dict(os.environ)
    env["TUTOR_DATA_DIR"] = str(svc.settings.data_dir)
    env["TUTOR_CORPUS__PATHS"] = json.dumps([str(p) for p in svc.settings.corpus.paths])
    return env


def test_index_reads_back_from_a_fresh_process(corpus_services) -> None:
    result = subprocess.run(
        TUTOR + ["retrieve", "有哪些向量数据库可以选？", "--json", "--k", "5"],
        capture_output=True,
        text=True,
        env=_env(corpus_services),
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    hits = json.loads(result.stdout)
    assert [set(h) for h in hits] == [
        {"id", "score", "doc", "title", "headings", "lines", "text", "links"}
    ] * 5
    assert any("技能点 11：RAG 检索增强 ⭐⭐⭐⭐⭐" in h["headings"] for h in hits)


def test_retrieve_without_index_says_run_ingest(tmp_path: Path, models_dir: Path) -> None:
    svc = build_services(make_settings(tmp_path / "empty", models_dir))
    with pytest.raises(IndexStoreError, match="tutor ingest"):
        svc.retrieve("anything")


def test_killed_ingest_leaves_previous_index_usable(tmp_path: Path, models_dir: Path, embedder) -> None:
    # three of the corpus's documents: two commit batches (`COMMIT_CHUNKS`), so the kill lands between
    # them, at a third of the whole corpus's embedding (the roadmap and its 103 resource cards add no
    # commit point; the assertion on `changed` below fails if the kill found one batch only)
    corpus = _small_corpus(tmp_path)
    shutil.copy(CORPUS / "expert-to-opinion-leader.md", corpus)
    svc = _services(tmp_path, models_dir, embedder, corpus)
    svc.ingest()
    manifest_path = svc.manifest().path
    before = {d.doc_id: d.rev for d in svc.manifest().docs.values() if d.doc_id != "resource-cards"}
    for path in sorted(corpus.glob("*.md")):
        path.write_text(
            path.read_text(encoding="utf-8") + "\n\n## 修订\n\n本节为新增内容。\n", encoding="utf-8"
        )

    stamp = manifest_path.stat().st_mtime_ns
    proc = subprocess.Popen(
        TUTOR + ["ingest"],
        env=_env(svc),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 240
    while manifest_path.stat().st_mtime_ns == stamp and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    os.killpg(proc.pid, signal.SIGKILL)  # right after the first document was committed
    proc.wait()
    assert proc.returncode == -signal.SIGKILL, "ingest finished before it could be killed"

    after = svc.manifest()
    changed = [d for d, rev in before.items() if after.docs[d].rev != rev]
    assert 1 <= len(changed) < len(before), changed
    # every live chunk is present and nothing half-written is served
    live = set(svc.store.live_ids(after.collection, after.live_revs))
    assert live == {cid for d in after.docs.values() for cid in d.chunk_ids}
    hits = svc.retrieve("有哪些向量数据库可以选？", k=5)
    assert len(hits) == 5 and len({h.id for h in hits}) == 5
    assert all(h.id in live for h in hits)

    report = svc.ingest()
    assert report.count("updated") == len(before) - len(changed)
    cards = int("resource-cards" in after.docs)  # the resource cards, if any: no link changed
    assert report.count("unchanged") == len(changed) + cards
    assert svc.store.ids_not_in(svc.manifest().collection, svc.manifest().live_revs) == []
