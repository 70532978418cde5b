"""Cold `tutor ask` / `tutor retrieve`: each a fresh process, wall and CPU time, median of N runs.

Usage:
  git worktree add --detach /tmp/tutor-before main     # the code to compare against (any ref)
  PYTHONPATH=src .venv/bin/python bench/cli_cold.py --before /tmp/tutor-before/src \\
      --data-dir DIR --models-dir DIR [--corpus DIR] [--runs 5]

Variants, side by side in one run and interleaved round by round (a shared machine's load then
falls on all of them alike): `after/server` (this tree's CLI with a resident `tutor serve` of this
tree on the same data dir, started and warmed by the benchmark), `after/in-process`
(`TUTOR_CLI__SERVER=never`) and `before/in-process` (the `--before` tree's CLI, also with
`never`: a tree that has the resident server would otherwise use this benchmark's); `tutor --help` of
both trees is the floor; `tutor next --known 1,2,3` runs the same three ways.  CPU is the child's
user+sys time (getrusage), so it counts this process's own work only; wall includes the server's work for `after/server`.  The data dir must hold an index
(`tutor ingest`); the profile is `default,test` unless --profile says otherwise (llm.kind none: the
extractive answer).  Writes bench/results/cli_cold.json and prints a Markdown table.
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

REPO = Path(__file__).resolve().parents[1]
QUESTION = "RAG 检索增强要学哪些内容？"


def _env(src: Path, args: argparse.Namespace, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TUTOR_")}
    env.update(
        PYTHONPATH=str(src),
        TUTOR_PROFILE=args.profile,
        TUTOR_DATA_DIR=str(args.data_dir),
        TUTOR_MODELS_DIR=str(args.models_dir),
        TUTOR_CONFIG_DIR=str(REPO / "configs"),
        HF_HUB_OFFLINE="1",
        TRANSFORMERS_OFFLINE="1",
        TOKENIZERS_PARALLELISM="false",
        GRADIO_ANALYTICS_ENABLED="False",
        ANONYMIZED_TELEMETRY="False",
        **extra,
    )
    if args.corpus:
        env["TUTOR_CORPUS__PATHS"] = json.dumps([str(args.corpus)])
        env["TUTOR_CURRICULUM__ROADMAP"] = str(args.corpus / "ai-learning-roadmap.md")
    return env


def _timed(command: list[str], env: dict[str, str]) -> dict[str, float]:
    """Wall and CPU seconds of one child process (it must succeed: a failure is not a timing)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    out = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if out.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({out.returncode}):\n{out.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    sample = {"wall_s": round(wall, 3), "cpu_s": round(cpu, 3)}
    if command[-1] == "--json" and "ask" in command:  # the chain's own time, wherever it ran
        sample["chain_s"] = round(json.loads(out.stdout)["timings"]["total_s"], 3)
    return sample


def _variants(args: argparse.Namespace) -> dict[str, tuple[list[str], dict[str, str]]]:
    cli = [sys.executable, "-m", "tutor.cli"]
    ask = ["ask", args.question, "--json"]
    retrieve = ["retrieve", args.question, "--json"]
    after, before = REPO / "src", args.before
    never = {"TUTOR_CLI__SERVER": "never"}
    plan = ["next", "--known", "1,2,3", "--json"]
    variants = {
        "help/before": ([*cli, "--help"], _env(before, args)),
        "help/after": ([*cli, "--help"], _env(after, args)),
        "ask/after/server": ([*cli, *ask], _env(after, args)),
        "retrieve/after/server": ([*cli, *retrieve], _env(after, args)),
        "next/after/server": ([*cli, *plan], _env(after, args)),
        "ask/after/in-process": ([*cli, *ask], _env(after, args, **never)),
        "retrieve/after/in-process": ([*cli, *retrieve], _env(after, args, **never)),
        "next/after/in-process": ([*cli, *plan], _env(after, args, **never)),
        "ask/before/in-process": ([*cli, *ask], _env(before, args, **never)),
        "retrieve/before/in-process": ([*cli, *retrieve], _env(before, args, **never)),
        "next/before/in-process": ([*cli, *plan], _env(before, args, **never)),
    }
    return {k: v for k, v in variants.items() if not args.only or any(o in k for o in args.only)}


def _start_server(args: argparse.Namespace) -> subprocess.Popen:
    """This tree's `tutor serve --no-ui --no-ingest` on any free port, announced in the data dir."""
    env = _env(REPO / "src", args)
    command = [sys.executable, "-m", "tutor.cli", "serve", "--no-ui", "--no-ingest", "--port", "0"]
    log = open(args.out / f"{args.name}_serve.log", "w")  # noqa: SIM115 - the child keeps it open
    proc = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 300
    cli = [sys.executable, "-m", "tutor.cli", "-v"]
    while time.monotonic() < deadline:  # one answer and one retrieval through it: everything loaded
        if proc.poll() is not None:
            raise SystemExit(f"tutor serve exited with {proc.returncode}; see {log.name}")
        if (args.data_dir / "serve.json").is_file():
            probes = [
                subprocess.run(
                    [*cli, *what, args.question], env=env, capture_output=True, text=True, check=False
                )
                for what in (["ask"], ["retrieve"])
            ]
            if all("Answered by the tutor server" in p.stderr for p in probes):
                return proc
        time.sleep(1)
    proc.terminate()
    raise SystemExit("tutor serve did not answer within 300 s")


def _summary(samples: list[dict[str, float]]) -> dict[str, Any]:
    keys = [k for k in ("wall_s", "cpu_s", "chain_s") if all(k in s for s in samples)]
    return {**{k: round(statistics.median(s[k] for s in samples), 3) for k in keys}, "samples": samples}


def _table(results: dict[str, dict[str, Any]]) -> str:
    rows = [
        "| command | path | wall s (median) | CPU s (median) | of which the chain answering, s |",
        "|---|---|---|---|---|",
    ]
    for name, r in results.items():
        command, _, path = name.partition("/")
        command = "--help" if command == "help" else command
        chain = f"{r['chain_s']:.2f}" if "chain_s" in r else ""
        rows.append(f"| `tutor {command}` | {path} | {r['wall_s']:.2f} | {r['cpu_s']:.2f} | {chain} |")
    ratios = []
    for command in ("ask", "retrieve", "next"):
        before, inproc, server = (
            results.get(f"{command}/{p}") for p in ("before/in-process", "after/in-process", "after/server")
        )
        if before and inproc:
            ratios.append(
                f"{command}: in-process before/after CPU {before['cpu_s'] / inproc['cpu_s']:.1f}×, wall {before['wall_s'] / inproc['wall_s']:.1f}×"
            )
        if before and server:
            ratios.append(
                f"{command}: before in-process / after with server, wall {before['wall_s'] / server['wall_s']:.1f}×, CPU {before['cpu_s'] / server['cpu_s']:.1f}×"
            )
    return "\n".join(rows + [""] + ratios)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--before", type=Path, required=True, help="src/ of the tree to compare against")
    parser.add_argument("--data-dir", type=Path, required=True, help="a data dir holding an index")
    parser.add_argument("--models-dir", type=Path, required=True)
    parser.add_argument("--corpus", type=Path, help="the corpus the index was built from")
    parser.add_argument("--profile", default="default,test")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--question", default=QUESTION, help="what to ask and retrieve for")
    parser.add_argument("--name", default="cli_cold", help="results file: bench/results/NAME.json")
    parser.add_argument("--only", nargs="*", help="run only variants whose name contains one of these")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    variants = _variants(args)
    load_before = os.getloadavg()
    server = _start_server(args) if any("server" in k for k in variants) else None
    samples: dict[str, list[dict[str, float]]] = {k: [] for k in variants}
    try:
        for round_no in range(args.runs):
            for name, (command, env) in variants.items():
                samples[name].append(_timed(command, env))
                print(f"round {round_no + 1}/{args.runs} {name}: {samples[name][-1]}", file=sys.stderr)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=60)
    results = {k: _summary(v) for k, v in samples.items()}
    payload = {
        "question": args.question,
        "runs": args.runs,
        "profile": args.profile,
        "cpus": os.cpu_count(),
        "loadavg_start": [round(x, 2) for x in load_before],
        "loadavg_end": [round(x, 2) for x in os.getloadavg()],
        "before_src": str(args.before),
        "results": results,
    }
    (args.out / f"{args.name}.json").write_text(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
    print(_table(results))
    print(f"\nload average at start {payload['loadavg_start']}, at end {payload['loadavg_end']}")


if __name__ == "__main__":
    main()
