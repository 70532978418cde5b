"""Where one warm answer's CPU goes, per question kind: the numbers behind issue 17 item 5.

Usage:  .venv/bin/python bench/profile_answer.py --data-dir DIR [--per-kind 3] [--rounds 3]
                                              [--top 25] [--out bench/results] [--label NAME]

Builds the app on a copy-free data dir (an index built before, answer vectors warmed here), asks
every question once to warm the process, then times `App.ask` (no LLM) per question: wall and
process CPU seconds (CPU is what bounds throughput: with one process and the GIL, N answers at once
take about N x CPU per answer); each question's first time is reported apart (its embedding is
not cached yet, as for a learner's new question).  Then profiles the same questions under cProfile and prints the
functions with the most cumulative and own time, so the per-stage cost is visible.
Writes profile-<label>.json (CPU per answer by kind) and profile-<label>.prof (pstats).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import statistics
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
REPO = Path(__file__).resolve().parents[1]


def pick_questions(per_kind: int) -> list[tuple[str, str]]:
    """(kind, question): up to `per_kind` of each eval kind with a route, follow-ups left out."""
    out: list[tuple[str, str]] = []
    seen: dict[str, int] = {}
    for line in (REPO / "eval" / "answers.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        kind = f"{row.get('route')}:{row.get('kind')}"
        if row.get("kind") == "followup" or seen.get(kind, 0) >= per_kind:
            continue
        seen[kind] = seen.get(kind, 0) + 1
        out.append((kind, row["question"]))
    return out


def main() -> None:
    from tutor.app import build
    from tutor.config import load_settings

    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--per-kind", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--label", default="run")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results")
    args = parser.parse_args()

    os.environ["TUTOR_LLM__KIND"] = "none"
    app = build(load_settings(data_dir=str(args.data_dir)))
    app.warm_answer_vectors()
    app.learners.ensure("profile")
    qs = pick_questions(args.per_kind)
    app.ask("warm-up: RAG 是什么？", (), "profile")  # loads BM25, the router examples, the ONNX session
    first: list[float] = []  # each question's first time: its embedding is not cached yet
    for _, q in qs:
        c0 = time.process_time()
        app.ask(q, (), "profile")
        first.append(time.process_time() - c0)
    by_kind: dict[str, list[tuple[float, float]]] = {}
    for _ in range(args.rounds):
        for kind, q in qs:
            w0, c0 = time.perf_counter(), time.process_time()
            app.ask(q, (), "profile")
            by_kind.setdefault(kind, []).append((time.perf_counter() - w0, time.process_time() - c0))
    rows: dict[str, Any] = {}
    for kind, times in sorted(by_kind.items()):
        rows[kind] = {
            "wall_p50_ms": round(1000 * statistics.median(t for t, _ in times), 1),
            "cpu_p50_ms": round(1000 * statistics.median(c for _, c in times), 1),
            "cpu_mean_ms": round(1000 * statistics.mean(c for _, c in times), 1),
        }
        print(
            f"{kind:32s} wall p50 {rows[kind]['wall_p50_ms']:8.1f} ms  cpu p50 {rows[kind]['cpu_p50_ms']:8.1f} ms"
        )
    all_cpu = [c for times in by_kind.values() for _, c in times]
    summary = {
        "cpu_mean_ms": round(1000 * statistics.mean(all_cpu), 1),
        "cpu_p50_ms": round(1000 * statistics.median(all_cpu), 1),
        "first_time_cpu_mean_ms": round(1000 * statistics.mean(first), 1),
        "first_time_cpu_p50_ms": round(1000 * statistics.median(first), 1),
        "load_avg": list(os.getloadavg()),
    }
    print("all:", summary)
    profiler = cProfile.Profile()
    profiler.enable()
    for _, q in qs:
        app.ask(q, (), "profile")
    profiler.disable()
    args.out.mkdir(parents=True, exist_ok=True)
    profiler.dump_stats(str(args.out / f"profile-{args.label}.prof"))
    for key in ("cumulative", "tottime"):
        buf = io.StringIO()
        pstats.Stats(profiler, stream=buf).sort_stats(key).print_stats(args.top)
        print(buf.getvalue())
    (args.out / f"profile-{args.label}.json").write_text(
        json.dumps({"label": args.label, "questions": len(qs), "kinds": rows, "all": summary}, indent=2)
    )


if __name__ == "__main__":
    main()
