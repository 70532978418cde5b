"""Retrieval at scale: dense (embedded Chroma), BM25 (bm25s) and fused latency, build time, memory, disk.

Usage:
  PYTHONPATH=src .venv/bin/python bench/scale.py --sizes 10000 100000 1000000 \
      --code before=/tmp/idx-main/src --code after=src [--chroma-max 100000] [--queries 100]

The corpus cannot be embedded a million times here, so the data is synthetic but shaped like the
corpus: every synthetic chunk copies the text, headings and metadata layout of a real corpus chunk
(so memory and disk per chunk are realistic), its BM25 tokens are the real chunk's tokens with about
a third replaced by Zipf-distributed rare words (a vocabulary that grows with the collection), and
its vector is a random unit vector (dim 384, cosine).  50 chunks per document, 3% of the chunks in
the resource-cards document (which the project filters out of most questions), stages 0-6.

For each size the Chroma collection and the manifest are built once (the project's
`ChromaStore.upsert_stored`, timed); then each `--code` version runs in its own subprocess
(PYTHONPATH=that src) on the same data, one after the other, and measures: its BM25 build and load,
p50/p95 of the project's dense / BM25 / hybrid retrievers (`build_retriever`, default settings,
query embedding replaced by the precomputed vector, so embedding time is not in these numbers) and
of the raw libraries (Chroma `query` unfiltered, `bm25s.retrieve`, and both fused with plain RRF),
resident memory and disk.  Results: bench/results/scale.json and bench/results/scale.png.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
REPO = Path(__file__).resolve().parents[1]
DIM = 384
PER_DOC = 50
MODEL = "multilingual-e5-small"


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _du_mb(path: Path) -> float:
    total = sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())
    return round(total / 2**20, 1)


def _pcts(samples: list[float]) -> dict[str, float]:
    ms = sorted(s * 1000 for s in samples)
    return {"p50": round(statistics.median(ms), 2), "p95": round(ms[int(0.95 * (len(ms) - 1))], 2)}


def _settings(data: Path, port: int | None = None) -> Any:
    from tutor.config import load_settings

    extra: dict[str, Any] = {}
    if port:  # the project's chroma-http store against a `chroma run` server
        extra["vector_store"] = {"kind": "chroma-http", "host": "127.0.0.1", "port": port}
    return load_settings("default", data_dir=data, models_dir=data / "models", corpus={"paths": []}, **extra)


def _start_server(path: Path) -> tuple[subprocess.Popen[bytes], int]:
    """`chroma run` on a free loopback port (as tests/integration/test_chroma_server.py starts it)."""
    import socket
    import urllib.request

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    exe = Path(sys.executable).with_name("chroma")
    cmd = [str(exe), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1):
                return proc, port
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError("chroma run did not come up in 120 s")


def _publish_manifest(settings: Any, data: Path) -> None:
    """chroma-http reads the manifest from the server and BM25 from its own index dir: give it both."""
    from tutor.index.manifest import Manifest, index_dir
    from tutor.index.shared import SharedManifest
    from tutor.index.store import open_store

    local = data / "index" / "local" / MODEL
    remote = index_dir(settings, MODEL)
    remote.mkdir(parents=True, exist_ok=True)
    if not (remote / "bm25").exists():
        (remote / "bm25").symlink_to(local / "bm25")
    manifest = Manifest.load(local, MODEL)
    shared = SharedManifest(open_store(settings), settings.vector_store.collection_prefix, MODEL)
    shared.publish(json.dumps(manifest.to_json(), ensure_ascii=False))


# --- synthetic data (deterministic: every process regenerates the same) ---------------------------
def _base_chunks() -> list[Any]:
    """The real corpus chunks, flattened the way the store keeps them."""
    from tutor.index.store import StoredChunk, chunk_metadata
    from tutor.ingest.chunking import chunk_document
    from tutor.ingest.loaders import load_document

    out = []
    for path in sorted((REPO / "corpus").glob("*.md")):
        for c in chunk_document(load_document(path, 5_000_000), 600, 80):
            out.append(StoredChunk(id=c.id, text=c.text, metadata=chunk_metadata(c)))
    return out


def _doc_rev(i: int, n: int) -> tuple[str, str]:
    from tutor.resources.cards import CARDS_DOC

    doc = CARDS_DOC if i < int(n * 0.03) else f"doc{i // PER_DOC:06d}"
    return doc, hashlib.sha1(doc.encode()).hexdigest()[:12]


def _chunk_id(i: int, n: int) -> str:
    doc, rev = _doc_rev(i, n)
    return f"{doc}:{rev}:{i:07d}"


def _lean_meta(i: int, n: int, stage: int) -> dict[str, Any]:
    doc, rev = _doc_rev(i, n)
    return {"doc": doc, "rev": rev, "stage": stage}


def synthetic(n: int, lean: bool = False) -> tuple[list[Any], list[list[str]]]:
    """`n` chunks (StoredChunk) and their BM25 token lists (`lean`: ids and filter metadata only)."""
    import numpy as np

    from tutor.index.bm25 import _context
    from tutor.index.store import StoredChunk
    from tutor.index.tokenize import tokenize

    base = _base_chunks()
    base_tokens = [tokenize(_context(c)) for c in base]
    rng = np.random.default_rng(7)
    pick = rng.integers(0, len(base), n)
    stages = rng.integers(0, 7, n)
    if lean:  # only what a dense query reads back: ids and the doc/rev/stage the filters use
        return [
            StoredChunk(id=_chunk_id(i, n), text="", metadata=_lean_meta(i, n, int(stages[i])))
            for i in range(n)
        ], []
    rare = rng.zipf(1.3, size=(n, 64)) % (n * 2 + 1000)
    replace = rng.random((n, 64)) < 0.35
    chunks, tokens = [], []
    for i in range(n):
        b = base[int(pick[i])]
        doc, rev = _doc_rev(i, n)
        meta = {**b.metadata, "doc": doc, "rev": rev, "stage": int(stages[i]), "index": i % PER_DOC}
        meta["chunk_hash"] = f"h{i}"
        chunks.append(StoredChunk(id=f"{doc}:{rev}:{i:07d}", text=b.text, metadata=meta))
        toks = list(base_tokens[int(pick[i])])
        for j in np.nonzero(replace[i][: len(toks)])[0]:
            toks[int(j)] = f"w{int(rare[i, j])}"
        tokens.append(toks)
    return chunks, tokens


def vectors(n: int) -> Any:
    import numpy as np

    rng = np.random.default_rng(11)
    v = rng.standard_normal((n, DIM), dtype=np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def questions(n: int) -> list[str]:
    rows = [json.loads(line) for line in (REPO / "eval" / "retrieval.jsonl").read_text().splitlines() if line]
    rows += [
        json.loads(line)
        for line in (REPO / "eval" / "retrieval_blind.jsonl").read_text().splitlines()
        if line
    ]
    return [r["question"] for r in rows][:n]


def query_vectors(vecs: Any, n: int) -> Any:
    import numpy as np

    rng = np.random.default_rng(13)
    idx = rng.integers(0, len(vecs), n)
    q = vecs[idx] + 0.3 * rng.standard_normal((n, DIM), dtype=np.float32) / np.sqrt(DIM)
    return q / np.linalg.norm(q, axis=1, keepdims=True)


# --- the parent: build the shared store once per size, then one child per code version -----------
def build_store(
    n: int, work: Path, with_chroma: bool, lean: bool = False, partial: bool = False
) -> dict[str, Any]:
    """The shared Chroma collection and manifest for size `n`, built once (reused when present).

    `lean` stores ids, vectors and the doc/rev/stage metadata the dense path filters on, in add batches
    of Chroma's maximum, with the project's own collection configuration (HNSW defaults): the full
    store (texts and citation metadata in Chroma, 256 per upsert) builds at ~300 chunks/s here, too
    slow for 1M.  A lean build that was stopped resumes where it stopped (`build.log`); `partial`
    measures a stopped build as it is (the manifest lists all `n` chunks, Chroma holds the first ones).
    """
    from tutor.index.manifest import DocEntry, Manifest
    from tutor.index.store import collection_name, open_store

    data = work / f"n{n}" / "shared"
    if (data / "store.json").is_file():  # built by an earlier run (--keep): the same deterministic data
        return {**json.loads((data / "store.json").read_text()), "reused": True}
    if not (lean and (data / "chroma").is_dir()):  # a stopped lean build is resumed, not redone
        shutil.rmtree(data, ignore_errors=True)
    data.mkdir(parents=True, exist_ok=True)
    chunks, _ = synthetic(n, lean=lean or not with_chroma)  # the manifest needs ids, docs, revs only
    settings = _settings(data)
    directory = data / "index" / "local" / MODEL
    manifest = Manifest(path=directory / "manifest.json", model_id=MODEL, dimension=DIM)
    manifest.collection = collection_name("tutor", MODEL, DIM)
    docs: dict[str, list[Any]] = {}
    for c in chunks:
        docs.setdefault(c.doc, []).append(c)
    for doc, cs in docs.items():
        manifest.docs[doc] = DocEntry(
            doc, cs[0].metadata["rev"], f"/corpus/{doc}.md", doc, [c.id for c in cs]
        )
    out: dict[str, Any] = {"chunks": n, "chroma_layout": "lean" if lean else "full"}
    if partial and lean and (data / "chroma").is_dir():  # no store.json: a later run resumes the build
        manifest.save()
        store = open_store(settings)
        count = store._collection(manifest.collection).count()
        store.close()
        return {**out, "chroma_count": count, "partial": count < n, **_build_totals(data / "build.log")}
    if with_chroma:
        store = open_store(settings)
        vecs = vectors(n)
        t0 = time.perf_counter()
        if lean:
            _lean_add(store, manifest.collection, chunks, vecs, data / "build.log")
        else:
            for start in range(0, n, 4096):  # the project writes 256 at a time inside upsert_stored
                store.upsert_stored(
                    manifest.collection, chunks[start : start + 4096], vecs[start : start + 4096].tolist()
                )
        out["chroma_build_s"] = round(time.perf_counter() - t0, 1)
        if lean:  # over every (resumed) part of the build: the sums of the logged adds
            out.update(_build_totals(data / "build.log"))
        out["chroma_disk_mb"] = _du_mb(data / "chroma")
        store.close()
    manifest.save()
    (data / "store.json").write_text(json.dumps(out))
    return out


def _build_totals(log_path: Path) -> dict[str, Any]:
    """Wall and CPU seconds of all adds in `build.log`, and the 1-min load averages seen."""
    walls, cpus, loads = [], [], []
    for line in log_path.read_text().splitlines():
        fields = dict(f.split("=", 1) for f in line.split() if "=" in f)
        if "add_wall" in fields:
            walls.append(float(fields["add_wall"].rstrip("s")))
            cpus.append(float(fields["add_cpu"].rstrip("s")))
            loads.append(float(fields["load"]))
    return {
        "chroma_build_adds_s": round(sum(walls), 1),
        "chroma_build_cpu_s": round(sum(cpus), 1),
        "chroma_build_load": [min(loads, default=0.0), max(loads, default=0.0)],
    }


def _lean_add(store: Any, name: str, chunks: list[Any], vecs: Any, log_path: Path) -> None:
    """Add in Chroma's largest batches, resuming after the chunks already in the collection.

    The collection gets exactly the configuration the project gives it (`ChromaStore._collection`:
    cosine, HNSW defaults).  A `sync_threshold` above the add batch (the earlier lean build used
    100,000) makes every add re-read all log records since the last HNSW save from SQLite and every
    open replay them; with the default the index is saved after each add (only changed elements).
    """
    import resource

    col = store._collection(name, create=True)
    done = col.count()
    if done and not col.get(ids=[chunks[done - 1].id], include=[])["ids"]:
        raise RuntimeError(f"{log_path.parent}: the collection does not hold the first {done} chunks")
    step = store._client.get_max_batch_size()
    t0 = time.perf_counter()
    with log_path.open("a") as log_file:
        log_file.write(f"# start at {done} chunks, {time.strftime('%H:%M:%S')}, batch {step}\n")
        for start in range(done, len(chunks), step):
            part = chunks[start : start + step]
            w0, c0 = time.perf_counter(), resource.getrusage(resource.RUSAGE_SELF)
            col.add(
                ids=[c.id for c in part],
                embeddings=vecs[start : start + step],
                metadatas=[c.metadata for c in part],
            )
            c1 = resource.getrusage(resource.RUSAGE_SELF)
            cpu = c1.ru_utime + c1.ru_stime - c0.ru_utime - c0.ru_stime
            log_file.write(
                f"{start + len(part)} {time.perf_counter() - t0:.1f}s add_wall={time.perf_counter() - w0:.2f}s"
                f" add_cpu={cpu:.2f}s load={os.getloadavg()[0]:.1f}\n"
            )
            log_file.flush()


def run_child(
    n: int, work: Path, name: str, src: str, args: argparse.Namespace, port_wanted: bool = False
) -> dict[str, Any]:
    """One code version on size `n` in its own process; `port_wanted`: against a `chroma run` server
    (after the embedded run of the same version, whose BM25 it reuses)."""
    shared = work / f"n{n}" / "shared"
    data = work / f"n{n}" / name
    keep = port_wanted or args.keep
    if not (keep and (data / "bm25-build.json").is_file()):  # --keep: reuse this version's BM25
        shutil.rmtree(data, ignore_errors=True)
    (data / "index" / "local" / MODEL).mkdir(parents=True, exist_ok=True)
    if (shared / "chroma").exists() and not (data / "chroma").exists():
        (data / "chroma").symlink_to(shared / "chroma")
    shutil.copy(shared / "index" / "local" / MODEL / "manifest.json", data / "index" / "local" / MODEL)
    env = {**os.environ, "PYTHONPATH": src, "OMP_NUM_THREADS": "1"}
    configs = Path(src).resolve().parent / "configs"  # each version reads its own profiles
    if configs.is_dir():
        env["TUTOR_CONFIG_DIR"] = str(configs)
    cmd = [sys.executable, __file__, "--child", str(n), "--work", str(data), "--queries", str(args.queries)]
    server = None
    if port_wanted:
        server, port = _start_server(shared / "chroma")
        cmd += ["--port", str(port)]
    try:
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=60)
    if proc.returncode != 0:
        return {"error": proc.stderr[-3000:]}
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


# --- the child: one code version, one size ---------------------------------------------------------
class _FixedEmbedder:
    """Stands in for the model: the precomputed vector of each question (embedding is not timed here)."""

    model_id = MODEL
    dimension = DIM

    def __init__(self, table: dict[str, list[float]]) -> None:
        self.table = table

    def embed_query(self, text: str) -> list[float]:
        return self.table.get(text) or next(iter(self.table.values()))

    def embed_queries(self, texts: list[str]) -> list[list[float]]:
        return [self.embed_query(t) for t in texts]

    def embed_documents(self, texts: list[str], show_progress: bool = False) -> list[list[float]]:
        import numpy as np

        v = np.random.default_rng(len(texts)).standard_normal((len(texts), DIM))
        return (v / np.linalg.norm(v, axis=1, keepdims=True)).tolist()


def _build_bm25(chunks: list[Any], tokens: list[list[str]], directory: Path) -> dict[str, Any]:
    import bm25s

    from tutor.index import bm25 as project

    t0 = time.perf_counter()
    raw = bm25s.BM25()
    raw.index(tokens, show_progress=False)
    raw_s = time.perf_counter() - t0
    fp = project.fingerprint((c.id for c in chunks), _settings(directory).retrieval.bm25_heading_boost)
    t0 = time.perf_counter()
    if hasattr(project.BM25Index, "from_retriever"):
        index = project.BM25Index.from_retriever(raw, chunks, fp)
    else:  # main before issue 17
        index = project.BM25Index(
            raw, [c.id for c in chunks], [dict(c.metadata) for c in chunks], [c.text for c in chunks], fp
        )
    index.save(directory / "bm25")
    return {
        "bm25_raw_build_s": round(raw_s, 1),
        "bm25_project_wrap_save_s": round(time.perf_counter() - t0, 1),
    }


def child(n: int, data: Path, n_queries: int, port: int | None = None) -> dict[str, Any]:
    import numpy as np

    from tutor.index.live import LiveIndex
    from tutor.index.retriever import build_retriever

    # the BM25 build runs in its own process, so the memory measured here is what loading costs
    built = data / "bm25-build.json"
    if not built.is_file():
        build = subprocess.run(
            [sys.executable, __file__, "--child-build", str(n), "--work", str(data)],
            capture_output=True,
            text=True,
            check=True,
        )
        built.write_text(build.stdout.strip().splitlines()[-1])
    out: dict[str, Any] = json.loads(built.read_text())
    has_chroma = (data / "chroma").exists()
    qs = questions(n_queries)
    qv = query_vectors(vectors(n), len(qs)) if has_chroma else np.zeros((len(qs), DIM), dtype=np.float32)
    table = {q: v.tolist() for q, v in zip(qs, qv, strict=True)}
    settings = _settings(data, port)
    if port:
        _publish_manifest(settings, data)
    index = LiveIndex(settings)
    rss0 = _rss_mb()
    t0 = time.perf_counter()
    bm25 = index.bm25()
    out["bm25_load_s"] = round(time.perf_counter() - t0, 2)
    out["bm25_rss_mb"] = round(_rss_mb() - rss0, 1)
    out["bm25_disk_mb"] = _du_mb(data / "index" / "local" / MODEL / "bm25")
    embedder = _FixedEmbedder(table)
    modes = ["bm25"] + (["dense", "hybrid"] if has_chroma else [])
    retrievers = {m: build_retriever(m, index, lambda: embedder, settings.retrieval, k=5) for m in modes}
    from tutor.index.tokenize import tokenize

    qtok = [[t for t in tokenize(q) if t in bm25.retriever.vocab_dict] or ["w1"] for q in qs]
    col = None
    if has_chroma:
        import chromadb

        rss1 = _rss_mb()
        client = index.store._client
        col = client.get_collection(index.manifest().collection, embedding_function=None)
        col.query(query_embeddings=[qv[0].tolist()], n_results=5)
        out["chroma_rss_mb"] = round(_rss_mb() - rss1, 1)
        assert chromadb  # imported for the client above

    def raw_dense(i: int) -> list[str]:
        assert col is not None
        return list(
            col.query(
                query_embeddings=[qv[i].tolist()],
                n_results=30,
                include=["documents", "metadatas", "distances"],
            )["ids"][0]
        )

    def raw_dense_ids(i: int) -> list[str]:  # what the project now asks Chroma for
        assert col is not None
        return list(
            col.query(query_embeddings=[qv[i].tolist()], n_results=30, include=["distances"])["ids"][0]
        )

    def raw_bm25(i: int) -> list[int]:
        docs, _ = bm25.retriever.retrieve([qtok[i]], k=30, show_progress=False, n_threads=1)
        return [int(d) for d in docs[0]]

    def raw_fused(i: int) -> list[str]:
        scores: dict[str, float] = {}
        for rank, cid in enumerate(raw_dense(i), 1):
            scores[cid] = scores.get(cid, 0.0) + 1 / (60 + rank)
        for rank, d in enumerate(raw_bm25(i), 1):
            cid = str(d)
            scores[cid] = scores.get(cid, 0.0) + 1 / (60 + rank)
        return sorted(scores, key=lambda c: -scores[c])[:5]

    runs: dict[str, Any] = {f"project_{m}": (lambda i, r=retrievers[m]: r.search(qs[i])) for m in modes}
    runs["raw_bm25"] = raw_bm25
    if has_chroma:
        runs["raw_dense"] = raw_dense
        runs["raw_dense_ids"] = raw_dense_ids
        runs["raw_fused"] = raw_fused
    for name, fn in runs.items():
        for i in range(min(5, len(qs))):
            fn(i)  # warm: router cards, masks, page cache
        samples = []
        for i in range(len(qs)):
            t0 = time.perf_counter()
            fn(i)
            samples.append(time.perf_counter() - t0)
        out[name] = _pcts(samples)
    out["rss_total_mb"] = round(_rss_mb(), 1)
    return out


# --- report ------------------------------------------------------------------------------------------
def plot(results: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 5))
    series_styles = (
        ("project_hybrid", "p95", "-o"),
        ("project_hybrid", "p50", "--o"),
        ("project_bm25", "p50", "-s"),
        ("project_dense", "p50", "-^"),
    )
    for code, per_size in results["codes"].items():
        for series, stat, style in series_styles:
            points = sorted((int(n), r[series][stat]) for n, r in per_size.items() if series in r)
            if points:
                xs, ys = zip(*points, strict=True)
                ax.plot(xs, ys, style, label=f"{code}: {series.removeprefix('project_')} {stat}")
    sizes = {int(n) for per in results["codes"].values() for n in per}
    for series in ("raw_fused", "raw_bm25"):
        per_size = results["codes"].get("after") or next(iter(results["codes"].values()))
        points = sorted((int(n), r[series]["p50"]) for n, r in per_size.items() if series in r)
        if points:
            xs, ys = zip(*points, strict=True)
            ax.plot(xs, ys, ":x", label=f"raw {series.removeprefix('raw_')} p50")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xticks(sorted(sizes))
    ax.set_xlabel("chunks")
    ax.set_ylabel("latency ms (warm, embedding excluded)")
    ax.set_title("tutor retrieval latency vs collection size (2 shared cores)")
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--code", action="append", default=[], help="NAME=SRC_DIR (repeatable)")
    parser.add_argument("--chroma-max", type=int, default=100_000, help="largest size built in Chroma")
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--work", type=Path, default=Path("/tmp/tutor-scale"))
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results")
    parser.add_argument("--keep", action="store_true", help="keep the built stores under --work for a rerun")
    parser.add_argument("--lean-min", type=int, default=1_000_000, help="smallest size built lean")
    parser.add_argument("--build-only", action="store_true", help="build the shared stores and stop")
    parser.add_argument(
        "--partial", action="store_true", help="measure a stopped lean build as it is, without resuming it"
    )
    parser.add_argument("--server-max", type=int, default=0, help="largest size also run on `chroma run`")
    parser.add_argument("--server-code", default="", help="the --code name run on the server too")
    parser.add_argument(
        "--combine",
        type=Path,
        nargs="+",
        help="merge these scale.json files (e.g. a 1M BM25-only run) and plot",
    )
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--child-build", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_build:
        chunks, tokens = synthetic(args.child_build)
        print(json.dumps(_build_bm25(chunks, tokens, args.work / "index" / "local" / MODEL)))
        return
    if args.child:
        print(json.dumps(child(args.child, args.work, args.queries, args.port)))
        return
    if args.combine:
        merged: dict[str, Any] = {"store": {}, "codes": {}}
        for path in args.combine:
            part = json.loads(path.read_text())
            merged["store"].update(part["store"])
            for code, per_size in part["codes"].items():
                merged["codes"].setdefault(code, {}).update(per_size)
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "scale.json").write_text(json.dumps(merged, indent=1))
        plot(merged, args.out / "scale.png")
        return
    codes = dict(c.split("=", 1) for c in args.code) or {"current": str(REPO / "src")}
    results: dict[str, Any] = {"store": {}, "codes": {name: {} for name in codes}}
    args.out.mkdir(parents=True, exist_ok=True)
    for n in args.sizes:
        results["store"][n] = build_store(
            n, args.work, with_chroma=n <= args.chroma_max, lean=n >= args.lean_min, partial=args.partial
        )
        print(json.dumps({"size": n, "store": results["store"][n]}), flush=True)
        if args.build_only:
            continue
        for name, src in codes.items():
            results["codes"][name][n] = run_child(n, args.work, name, str(Path(src).resolve()), args)
            print(json.dumps({"size": n, "code": name, **results["codes"][name][n]}), flush=True)
            if name == args.server_code and n <= args.server_max:
                server = results["codes"].setdefault(f"{name}+server", {})
                server[n] = run_child(n, args.work, name, str(Path(src).resolve()), args, port_wanted=True)
                print(json.dumps({"size": n, "code": f"{name}+server", **server[n]}), flush=True)
        (args.out / "scale.json").write_text(json.dumps(results, indent=1))
        plot(results, args.out / "scale.png")
        if not args.keep:
            shutil.rmtree(args.work / f"n{n}", ignore_errors=True)


if __name__ == "__main__":
    main()
