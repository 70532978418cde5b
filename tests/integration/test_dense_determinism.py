"""Dense search gives the same neighbours in every process (exact below `exact_search_max`).

Embedded Chroma's HNSW graph answered the same query differently in each new process; the store
now ranks small collections by exact cosine in memory.  Three fresh processes run the same 60
queries over one persisted collection and must agree with each other and with numpy's brute force.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("chromadb")

DIM, ROWS, QUERIES, K = 384, 400, 60, 40

_QUERY_SCRIPT = f"""
import json, sys
import chromadb, numpy as np
from chromadb.config import Settings
from tutor.index.store import ChromaStore
path, exact_max = sys.argv[1], int(sys.argv[2])
store = ChromaStore(chromadb.PersistentClient(path=path, settings=Settings(anonymized_telemetry=False)),
                    where=path, embedded=True, exact_max=exact_max)
queries = np.random.default_rng(7).normal(size=({QUERIES}, {DIM})).astype("float32")
out = [[h.id for h in store.query("col", q.tolist(), {K}, ["r1"])] for q in queries]
print(json.dumps(out))
"""


def _vectors(seed: int, n: int) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=(n, DIM)).astype("float32")


@pytest.fixture(scope="module")
def collection(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import chromadb
    from chromadb.config import Settings

    from tutor.index.store import ChromaStore, StoredChunk

    path = tmp_path_factory.mktemp("chroma")
    store = ChromaStore(
        chromadb.PersistentClient(path=str(path), settings=Settings(anonymized_telemetry=False)), "t"
    )
    store.registry("col")  # created with cosine space, as the index's collections are
    rows = [StoredChunk(f"id{i:04d}", f"text {i}", {"doc": f"d{i % 5}", "rev": "r1"}) for i in range(ROWS)]
    stale = [StoredChunk(f"old{i:04d}", "stale", {"doc": "d0", "rev": "r0"}) for i in range(20)]
    store.upsert_stored("col", rows + stale, _vectors(1, ROWS + 20).tolist())
    store.close()
    return path


def _run(path: Path, exact_max: int) -> list[list[str]]:
    src = Path(__file__).resolve().parents[2] / "src"
    env = {"PYTHONPATH": str(src), "PATH": "/usr/bin:/bin", "HOME": str(path.parent)}
    done = subprocess.run(
        [sys.executable, "-c", _QUERY_SCRIPT, str(path), str(exact_max)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_same_neighbours_in_three_processes_and_exact(collection: Path) -> None:
    runs = [_run(collection, exact_max=20_000) for _ in range(3)]
    assert runs[0] == runs[1] == runs[2]
    # and they are the true nearest live rows by cosine (the stale revision never appears)
    vectors = _vectors(1, ROWS + 20)[:ROWS]
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    for query, got in zip(np.random.default_rng(7).normal(size=(QUERIES, DIM)), runs[0], strict=True):
        best = np.argsort(-(unit @ (query / np.linalg.norm(query))), kind="stable")[:K]
        assert got == [f"id{i:04d}" for i in best]


def test_big_collections_keep_hnsw(collection: Path) -> None:
    """Above the threshold the store asks Chroma (HNSW) and never loads the vectors."""
    import chromadb
    from chromadb.config import Settings

    from tutor.index.store import ChromaStore

    store = ChromaStore(
        chromadb.PersistentClient(path=str(collection), settings=Settings(anonymized_telemetry=False)),
        "t",
        embedded=True,
        exact_max=100,
    )
    hits = store.query("col", _vectors(3, 1)[0].tolist(), 5, ["r1"])
    assert len(hits) == 5 and all(h.metadata["rev"] == "r1" for h in hits)
    assert store._exact["col"][1] is None  # measured once as too big: no view held
    store.close()
