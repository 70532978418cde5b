"""Start-up cost of the retrieval levers: per lever, a cold `tutor retrieve`, and the service start.

Usage:
  PYTHONPATH=src .venv/bin/python bench/lever_startup.py --data-dir D [--models-dir M] \
      --code before=/tmp/base/src --code after=src [--runs 3] [--question "…"] --out O.json

Every measurement runs in a fresh child process with PYTHONPATH=that code's src, codes interleaved
run by run (the machine is shared: read the ratios).  Per child:

* `levers`: the embedder and the BM25 index are loaded first, then each lever's data is built
  (or loaded, where the index stores it) in turn: wall seconds per lever and the peak RSS after it;
* `retrieve`: `tutor retrieve QUESTION` as a learner runs it (wall s, CPU s, peak RSS);
* `serve`: what a serving process does before it is warm (`Startup.run` without the ingest check,
  then its `_warm`: one retrieval and the answer vectors): wall s, peak RSS.

The data directory is only read (an index built without stored lever data makes both codes
compute them).  The vector cache under it is shared by both codes: run once to warm it first.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
REPO = Path(__file__).resolve().parents[1]
QUESTION = "RAG 检索增强要学哪些内容？"
LEVERS = (  # the sequence passages last: main before this branch read every record per sequence row
    "rewriter",
    "router",
    "sections",
    "faq",
    "concepts",
    "resource_kinds",
    "heading_paths",
    "sequences",
)


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _app(data: Path, models: Path | None) -> Any:
    from tutor.app import build
    from tutor.config import load_settings

    extra: dict[str, Any] = {"models_dir": models} if models else {}
    return build(load_settings("default", data_dir=data, corpus={"paths": []}, **extra))


def child_levers(data: Path, models: Path | None) -> dict[str, Any]:
    """Each lever in turn after the embedder and BM25 are loaded (seconds, peak MB after it)."""
    out: dict[str, Any] = {}
    t0 = time.perf_counter()
    app = _app(data, models)
    app.load_embedder().embed_query("warm")
    out["embedder"] = {"s": round(time.perf_counter() - t0, 2), "peak_mb": round(_peak_mb())}
    t0 = time.perf_counter()
    app.index.bm25()
    out["bm25"] = {"s": round(time.perf_counter() - t0, 2), "peak_mb": round(_peak_mb())}
    levers = app.levers
    for name in LEVERS:
        t0 = time.perf_counter()
        if name == "heading_paths" and not hasattr(levers, "heading_paths"):
            from tutor.index.roadmap_sections import heading_paths

            levers._per_index("heading_paths", lambda b: heading_paths(b.metadata))
        else:
            getattr(levers, name)()
        out[name] = {"s": round(time.perf_counter() - t0, 2), "peak_mb": round(_peak_mb())}
        print(json.dumps({"partial": out}), flush=True)  # what a run stopped by --timeout still reports
    return out


def store_levers(data: Path, models: Path | None) -> dict[str, Any]:
    """Store the lever data into an index built without it (bench/scale.py's BM25, whose lean Chroma
    store has no texts to re-ingest from): the BM25 generation is saved again with the levers in it,
    as an ingest does.  Returns the seconds and peak RSS of that extra ingest-time work."""
    app = _app(data, models)
    app.load_embedder().embed_query("warm")
    bm25 = app.index.bm25()
    assert bm25.directory is not None
    t0 = time.perf_counter()
    bm25.save(bm25.directory, extra=lambda tmp: app.levers.store(bm25, tmp))
    return {"store_s": round(time.perf_counter() - t0, 2), "peak_mb": round(_peak_mb())}


def child_serve(data: Path, models: Path | None) -> dict[str, Any]:
    """The serving process's start-up (no ingest check: the data dir is shared by the codes)."""
    from tutor.api.startup import Startup

    t0 = time.perf_counter()
    app = _app(data, models)
    startup = Startup(app)
    startup.run(ingest=False)
    ready = time.perf_counter() - t0
    startup._warm()
    return {
        "ready_s": round(ready, 2),
        "warm_s": round(time.perf_counter() - t0, 2),
        "peak_mb": round(_peak_mb()),
        "error": startup.error,
    }


def _run(code: str, args: list[str], timeout: float) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": code}
    try:
        proc = subprocess.run(
            [sys.executable, __file__, *args],
            capture_output=True,
            text=True,
            env=env,
            check=False,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired as exc:
        raw = exc.stdout or b""
        lines = (raw.decode() if isinstance(raw, bytes) else raw).strip().splitlines()
        done = json.loads(lines[-1])["partial"] if lines else {}
        return {"error": f"did not finish in {timeout:.0f} s", "partial": done}
    if proc.returncode != 0:
        return {"error": proc.stderr[-2000:]}
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


def _retrieve(code: str, data: Path, models: Path | None, question: str, timeout: float) -> dict[str, Any]:
    """A cold `tutor retrieve` under /usr/bin/time (wall, CPU, max RSS)."""
    env = {**os.environ, "PYTHONPATH": code}
    if models:
        env["TUTOR_MODELS_DIR"] = str(models)
    exe = Path(sys.executable).with_name("tutor")
    cmd = ["/usr/bin/time", "-f", "%e %U %S %M", str(exe), "--data-dir", str(data), "retrieve", question]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"did not finish in {timeout:.0f} s"}
    wall, user, system, rss = proc.stderr.strip().splitlines()[-1].split()
    return {
        "rc": proc.returncode,
        "wall_s": float(wall),
        "cpu_s": round(float(user) + float(system), 2),
        "peak_mb": round(int(rss) / 1024),
        "ids": [line for line in proc.stdout.splitlines() if line.strip()][:40],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-dir", type=Path, required=True)
    ap.add_argument("--models-dir", type=Path)
    ap.add_argument("--code", action="append", default=[], help="NAME=SRC (repeatable)")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--what", default="levers,retrieve,serve")
    ap.add_argument("--question", default=QUESTION)
    ap.add_argument("--timeout", type=float, default=900, help="seconds per child before it is stopped")
    ap.add_argument("--out", type=Path)
    ap.add_argument(
        "--store-levers", action="store_true", help="store the lever data into --data-dir's index"
    )
    ap.add_argument("--child", choices=["levers", "serve"], help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.store_levers:
        print(json.dumps(store_levers(args.data_dir, args.models_dir)))
        return
    if args.child:
        fn = child_levers if args.child == "levers" else child_serve
        print(json.dumps(fn(args.data_dir, args.models_dir)))
        return
    codes = dict(c.split("=", 1) for c in args.code) or {"current": str(REPO / "src")}
    codes = {k: str(Path(v).resolve()) for k, v in codes.items()}
    base = ["--data-dir", str(args.data_dir)] + (
        ["--models-dir", str(args.models_dir)] if args.models_dir else []
    )
    what = args.what.split(",")
    runs: dict[str, dict[str, list[Any]]] = {name: {w: [] for w in what} for name in codes}
    for i in range(args.runs):
        for name, src in codes.items():  # interleaved: both codes see the same machine load
            for w in what:
                if w == "retrieve":
                    got = _retrieve(src, args.data_dir, args.models_dir, args.question, args.timeout)
                else:
                    got = _run(src, [*base, "--child", w], args.timeout)
                runs[name][w].append(got)
                print(json.dumps({"run": i, "code": name, "what": w, **got}, ensure_ascii=False), flush=True)
    summary: dict[str, Any] = {}
    for name in codes:
        s: dict[str, Any] = {}
        for w, got in runs[name].items():
            ok = [g for g in got if "error" not in g or not g["error"]]
            if not ok:
                continue
            keys = [k for k, v in ok[0].items() if isinstance(v, (int, float))]
            s[w] = {k: statistics.median(g[k] for g in ok) for k in keys}
            if w == "levers":
                s[w] = {
                    lv: {k: statistics.median(g[lv][k] for g in ok) for k in ("s", "peak_mb")} for lv in ok[0]
                }
        summary[name] = s
    print(json.dumps(summary, indent=1))
    if args.out:
        args.out.write_text(json.dumps({"summary": summary, "runs": runs}, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
