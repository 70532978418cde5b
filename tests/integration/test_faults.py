"""Faults around ingest: an ingest of another path, concurrent ingests on one data dir, a second writer
that will not wait, symlink loops.  Real Chroma, real embedder, real `tutor` subprocesses."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import make_settings
from tutor.services import Services, build_services

pytestmark = [pytest.mark.slow, pytest.mark.integration]

TUTOR = [sys.executable, "-m", "tutor.cli"]


def _links_doc(folder: Path, name: str, topic: str, n: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    rows = "\n".join(
        f"| {topic} 教程 {i} | 教程 | 中文 | ⭐⭐⭐ | https://{name}.example.org/{i} |" for i in range(n)
    )
    path = folder / f"{name}.md"
    path.write_text(
        f"# {topic}\n\n## {topic} 的学习资源\n\n{topic} 是一个重要的主题，先读概念再动手。\n\n"
        f"| 资源 | 类型 | 语言 | 质量 | 链接 |\n|---|---|---|---|---|\n{rows}\n",
        encoding="utf-8",
    )
    return path


def _services(tmp_path: Path, models_dir: Path, embedder, paths: list[Path]) -> Services:
    settings = make_settings(tmp_path / "data", models_dir, corpus={"paths": paths})
    return build_services(settings, embedder=embedder)


def _consistent(svc: Services) -> tuple[set[str], set[str]]:
    manifest = svc.manifest()
    expected = {cid for d in manifest.docs.values() for cid in d.chunk_ids}
    everything = set(svc.store.live_ids(manifest.collection, manifest.live_revs))
    orphans = set(svc.store.ids_not_in(manifest.collection, manifest.live_revs))
    return expected, everything | orphans


def test_ingest_of_another_path_keeps_what_other_sources_built(
    tmp_path: Path, models_dir: Path, embedder
) -> None:
    a = tmp_path / "a"
    b = tmp_path / "b"
    _links_doc(a, "alpha", "向量数据库", 5)
    _links_doc(b, "beta", "知识蒸馏", 3)
    (b / "gamma.md").write_text(
        "# 模型量化\n\n## 概念\n\n量化把权重从 16 位压到 4 位，推理更省内存。\n", encoding="utf-8"
    )
    svc = _services(tmp_path, models_dir, embedder, [])
    svc.ingest([a])
    assert len(svc.catalog.resources()) == 5
    report = svc.ingest([b])  # another folder: adds, never removes
    assert report.count("removed") == 0, [r for r in report.results if r.status == "removed"]
    assert len(svc.catalog.resources()) == 8
    assert {"alpha", "beta", "resource-cards"} <= set(svc.manifest().docs)
    bm25 = svc.retrieve("向量数据库 的学习资源", k=5, mode="bm25")
    assert any(h.doc == "alpha" for h in bm25)  # the keyword index follows the same rule

    rebuilt = svc.ingest([b], rebuild=True)  # a rebuild rebuilds every registered source
    assert {"alpha", "beta"} <= set(svc.manifest().docs) and rebuilt.count("failed") == 0
    assert len(svc.catalog.resources()) == 8

    svc.ingest()  # no path: every registered source, nothing to do
    assert {"alpha", "beta"} <= set(svc.manifest().docs)

    removed = svc.ingest([], remove=[a])  # removal is explicit
    assert [r.doc_id for r in removed.results if r.status == "removed"] == ["alpha"]
    assert "alpha" not in svc.manifest().docs and len(svc.catalog.resources()) == 3
    assert not any(h.doc == "alpha" for h in svc.retrieve("向量数据库 的学习资源", k=5, mode="bm25"))
    svc.ingest()
    assert "alpha" not in svc.manifest().docs  # unregistered: not brought back
    unknown = svc.ingest([], remove=[tmp_path / "nowhere"])
    assert [r.reason for r in unknown.failed] == ["not a registered source and nothing indexed under it"]

    (b / "beta.md").rename(tmp_path / "beta-moved.md")
    pruned = svc.ingest(prune=True)
    assert "beta" not in svc.manifest().docs and "gamma" in svc.manifest().docs
    # beta's links were the last resources, so the cards document goes with it
    assert {r.doc_id for r in pruned.results if r.status == "removed"} == {"beta", "resource-cards"}
    expected, stored = _consistent(svc)
    assert expected == stored


def test_symlink_loops_are_one_line_each_and_the_run_goes_on(
    tmp_path: Path, models_dir: Path, embedder
) -> None:
    corpus = tmp_path / "corpus"
    _links_doc(corpus, "good", "检索增强", 2)
    (corpus / "loop.md").symlink_to(corpus / "loop.md")
    (corpus / "ping.md").symlink_to(corpus / "pong.md")
    (corpus / "pong.md").symlink_to(corpus / "ping.md")
    (corpus / "sub").mkdir()
    (corpus / "sub" / "up").symlink_to(corpus)  # a directory loop
    svc = _services(tmp_path, models_dir, embedder, [corpus])
    report = svc.ingest()
    failed = {Path(r.path).name: r.reason for r in report.failed}
    assert set(failed) == {"loop.md", "ping.md", "pong.md"}
    assert all("symlink loop" in reason for reason in failed.values())
    assert "good" in svc.manifest().docs and report.count("added") >= 1

    env = {**os.environ, "TUTOR_CORPUS__PATHS": f'["{corpus}"]', "TUTOR_DATA_DIR": str(tmp_path / "data")}
    cli = subprocess.run(
        [*TUTOR, "ingest"], capture_output=True, text=True, env=env, timeout=600, check=False
    )
    assert cli.returncode == 1  # bad files make the exit code 1, as documented
    assert "Traceback" not in cli.stderr and "RuntimeError" not in cli.stderr
    for name in ("loop.md", "ping.md", "pong.md"):  # one line each, naming the file
        assert sum(name in line for line in cli.stderr.splitlines()) == 1, cli.stderr


def test_concurrent_ingests_agree_and_a_second_writer_can_fail_fast(
    tmp_path: Path, models_dir: Path, embedder
) -> None:
    a = tmp_path / "a"
    b = tmp_path / "b"
    for i in range(6):
        _links_doc(a, f"alpha{i}", f"主题甲{i}", 2)
        _links_doc(b, f"beta{i}", f"主题乙{i}", 2)
    data = tmp_path / "data"
    svc = _services(tmp_path, models_dir, embedder, [])
    svc.ingest([a])  # the model is converted and the collection exists before the race
    env = {**os.environ, "TUTOR_DATA_DIR": str(data), "TUTOR_CORPUS__PATHS": "[]"}
    (a / "alpha0.md").write_text(
        (a / "alpha0.md").read_text(encoding="utf-8") + "\n改动之后的内容。\n", encoding="utf-8"
    )
    procs = [
        subprocess.Popen(
            [*TUTOR, "ingest", str(path)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for path in (a, b)
    ]
    outputs = [p.communicate(timeout=600) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    svc.store.close()  # this process's embedded Chroma view predates the subprocesses' writes
    fresh = _services(tmp_path, models_dir, embedder, [])
    docs = set(fresh.manifest().docs)
    assert {f"alpha{i}" for i in range(6)} | {f"beta{i}" for i in range(6)} <= docs
    expected, stored = _consistent(fresh)
    assert expected == stored  # nothing orphaned, nothing missing
    assert any(h.doc.startswith("beta") for h in fresh.retrieve("主题乙3 的学习资源", k=3))

    from tutor.ingest.lock import WriterLock

    with WriterLock(data).hold():
        blocked = subprocess.run(
            [*TUTOR, "ingest", "--no-wait", str(b)],
            env=env,
            capture_output=True,
            text=True,
            check=False,
            timeout=300,
        )
    assert blocked.returncode != 0 and "being written by pid" in blocked.stderr, blocked.stderr


def test_readers_do_not_rebuild_the_keyword_index_while_a_writer_holds_the_lock(
    tmp_path: Path, models_dir: Path, embedder
) -> None:
    import threading

    from tutor.index.manifest import DocEntry
    from tutor.ingest.lock import WriterLock

    corpus = tmp_path / "corpus"
    _links_doc(corpus, "alpha", "向量数据库", 2)
    writer = _services(tmp_path, models_dir, embedder, [corpus])
    writer.ingest()
    reader = _services(tmp_path, models_dir, embedder, [corpus])
    assert reader.retrieve("向量数据库", k=2, mode="bm25")
    bm25_file = next((tmp_path / "data").rglob("bm25/chunks.json"))
    stamp = bm25_file.stat().st_mtime_ns

    held, release = threading.Event(), threading.Event()

    def hold() -> None:  # another writer, mid-ingest: the lock is held and the manifest has moved on
        with WriterLock(tmp_path / "data").hold():
            held.set()
            release.wait(60)

    thread = threading.Thread(target=hold)
    thread.start()
    held.wait(30)
    try:
        manifest = writer.manifest()
        manifest.docs["half-written"] = DocEntry(
            doc_id="half-written",
            rev="r1",
            source=str(corpus / "x.md"),
            title="x",
            chunk_ids=["half-written:r1:0000"],
        )
        manifest.save()
        for _ in range(3):
            assert reader.retrieve("向量数据库", k=2, mode="bm25")  # answers from the index it has
        assert bm25_file.stat().st_mtime_ns == stamp  # ... and never rewrites it
    finally:
        release.set()
        thread.join()
