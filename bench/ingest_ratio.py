"""Ingest throughput against the raw embedder on the same passages, old and new code side by side.

Usage:
  PYTHONPATH=src .venv/bin/python bench/ingest_ratio.py --code before=/tmp/idx-main/src --code after=src \
      [--copies 2] [--small 300] [--rounds 2] [--models-dir DIR]

The corpus (`--copies` renamed copies of corpus/*.md, plus `--small` one-paragraph files: the
many-tiny-files case) is ingested cold into a fresh data dir by each `--code` version in its own
subprocess (PYTHONPATH=that src); then, in the same subprocess, raw sentence-transformers
(`SentenceTransformer.encode`, batch 16, the default, all passages in one call) embeds exactly the
passages that ingest embedded (recorded on the way in).  The ratio ingest chunks/s / raw chunks/s is the issue-17 target (>= 0.8).
Versions alternate for `--rounds` rounds; the machine is shared, so compare ratios, not seconds.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
REPO = Path(__file__).resolve().parents[1]


def make_corpus(folder: Path, copies: int, small: int) -> None:
    folder.mkdir(parents=True)
    for n in range(copies):
        for path in sorted((REPO / "corpus").glob("*.md")):
            shutil.copy(path, folder / f"{path.stem}-{n}.md")
    for i in range(small):
        (folder / f"note-{i:04d}.md").write_text(
            f"# 笔记 {i}\n\n第 {i} 条要点：先理解概念，再动手做一个小实验，然后写下学到了什么。\n",
            encoding="utf-8",
        )


class _Recording:
    """The project's embedder, noting every passage ingest embeds (so raw embeds exactly those)."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.texts: list[str] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def embed_documents(self, texts: list[str], show_progress: bool = False) -> list[list[float]]:
        self.texts.extend(texts)
        return list(self.inner.embed_documents(texts, show_progress))


def child(corpus: Path, models_dir: Path, data: Path) -> dict[str, Any]:
    from sentence_transformers import SentenceTransformer

    from tutor.config import load_settings
    from tutor.index.e5_convert import ensure_converted
    from tutor.index.embeddings import build_embeddings
    from tutor.services import build_services

    settings = load_settings(["default"], data_dir=data, models_dir=models_dir, corpus={"paths": [corpus]})
    inner = build_embeddings(settings.embeddings, models_dir)
    inner.embed_documents(["warm-up"] * 16)  # model load is not ingest throughput
    embedder = _Recording(inner)
    svc = build_services(settings, embedder=embedder)  # type: ignore[arg-type]
    t0 = time.perf_counter()
    report = svc.ingest()
    ingest_s = time.perf_counter() - t0
    texts = embedder.texts
    raw = SentenceTransformer(str(ensure_converted(models_dir)), device="cpu")
    prefix = str(raw.prompts.get("passage", ""))
    raw.encode([prefix + "warm-up"] * 16, batch_size=16)
    t0 = time.perf_counter()
    raw.encode(
        [prefix + t for t in texts], batch_size=settings.embeddings.batch_size, normalize_embeddings=True
    )
    raw_s = time.perf_counter() - t0
    return {
        "chunks": report.total_chunks,
        "passages": len(texts),
        "raw_chunks_per_s": round(len(texts) / raw_s, 2),
        "ingest_chunks_per_s": round(len(texts) / ingest_s, 2),
        "ratio": round(raw_s / ingest_s, 3),
        "ingest_s": round(ingest_s, 1),
        "raw_s": round(raw_s, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--code", action="append", default=[], help="NAME=SRC_DIR (repeatable)")
    parser.add_argument("--copies", type=int, default=2)
    parser.add_argument("--small", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--models-dir", type=Path, default=REPO / "data" / "models")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results")
    parser.add_argument("--child", nargs=3, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(*args.child)))
        return
    codes = dict(c.split("=", 1) for c in args.code) or {"current": str(REPO / "src")}
    work = Path(tempfile.mkdtemp(prefix="tutor-ingest-ratio-"))
    make_corpus(work / "corpus", args.copies, args.small)
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in codes}
    for r in range(args.rounds):
        for name, src in codes.items():
            data = work / f"data-{name}-{r}"
            env = {**os.environ, "PYTHONPATH": str(Path(src).resolve())}
            cmd = [sys.executable, __file__, "--child", str(work / "corpus"), str(args.models_dir), str(data)]
            proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
            result = (
                json.loads(proc.stdout.strip().splitlines()[-1])
                if proc.returncode == 0
                else {"error": proc.stderr[-2000:]}
            )
            runs[name].append(result)
            print(json.dumps({"round": r, "code": name, **result}), flush=True)
            shutil.rmtree(data, ignore_errors=True)
    summary = {
        name: {"median_ratio": statistics.median(x["ratio"] for x in rs if "ratio" in x)}
        for name, rs in runs.items()
    }
    print(json.dumps(summary))
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "ingest_ratio.json").write_text(json.dumps({"runs": runs, "summary": summary}, indent=1))
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
