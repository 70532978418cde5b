"""Concurrent learners against a real `tutor ui` (and the HTTP API when there is one).

Usage:
  .venv/bin/python bench/load.py [--levels 10,50,100] [--data-dir DIR] [--label NAME]
                                 [--singles 5] [--api-url URL --api-key KEY] [--out bench/results]

Starts `tutor ui` in a subprocess on a free loopback port with no LLM (llm.kind none), a login
per simulated learner (ui.auth, so each learner has its own history, as in a shared
deployment) and a temporary data directory: a copy of --data-dir when given (an index built
before, so the run does not wait for an ingest), otherwise built from corpus/ at start-up.
Each learner is a `gradio_client.Client` that asks one material question from
eval/answers.jsonl through the chat endpoint (`/chat`, the Gradio queue); at each level all
learners submit at once and every answer is awaited.

Single-request latency is measured in the same run (sequential questions after a warm-up), and
every figure is also given as a ratio to it, because the machine is shared and absolute times
move with its load: p50/p95/max latency divided by the single-request median, and answers/s
divided by the serial rate (1 / single median).

The HTTP API (`/v1/chat/completions`) is driven too when `--api-url` is given or when the
installed tutor has `tutor.api` and a `serve` command; otherwise it is reported as skipped.
Writes load-<label>.json and load-<label>.png under --out.
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import importlib.util
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
REPO = Path(__file__).resolve().parents[1]
PASSWORD = "load-bench"


def questions() -> list[str]:
    """Distinct material questions (not refusals) from the answer eval set."""
    out: list[str] = []
    for line in (REPO / "eval" / "answers.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if row.get("route") == "material" and not row.get("refuse") and row["question"] not in out:
            out.append(row["question"])
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


class UIServer:
    """`tutor ui` in a subprocess with its own data dir and profile; stopped on exit."""

    def __init__(self, learners: int, data_dir: Path | None, extra: dict[str, Any]) -> None:
        self.tmp = Path(tempfile.mkdtemp(prefix="tutor-load-"))
        self.data = self.tmp / "data"
        if data_dir is not None:
            shutil.copytree(data_dir, self.data)
        self.port = free_port()
        users = [f"learner{i}:{PASSWORD}" for i in range(learners)]
        profile = {"data_dir": str(self.data), "llm": {"kind": "none"}, "ui": {"auth": users, **extra}}
        self.profile = self.tmp / "load.yaml"
        self.profile.write_text(json.dumps(profile), encoding="utf-8")  # JSON is YAML
        self.log = self.tmp / "ui.log"
        env = {**os.environ, "TUTOR_PROFILE": f"default,{self.profile}", "TUTOR_LOG_LEVEL": "INFO"}
        self.proc = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "tutor"),
                "ui",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
            ],
            cwd=REPO,
            env=env,
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
        )
        self.url = f"http://127.0.0.1:{self.port}/"

    def wait_ready(self, timeout: float = 900) -> None:
        deadline = time.time() + timeout
        while time.time() < deadline:
            text = self.log.read_text(encoding="utf-8", errors="replace")
            if "Index ready" in text:
                return
            if self.proc.poll() is not None or "Start-up ingest failed" in text:
                raise RuntimeError(f"tutor ui did not start:\n{text[-3000:]}")
            time.sleep(1)
        raise TimeoutError(f"tutor ui not ready after {timeout:.0f} s; log at {self.log}")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        shutil.rmtree(self.tmp, ignore_errors=True)


def make_clients(url: str, n: int) -> list[Any]:
    from gradio_client import Client

    def one(i: int) -> Any:
        return Client(url, auth=(f"learner{i}", PASSWORD), verbose=False)

    with cf.ThreadPoolExecutor(8) as pool:
        return list(pool.map(one, range(n)))


def ask(client: Any, question: str) -> tuple[float, str | None]:
    """Seconds for one complete answer, and the error if it failed (e.g. the queue was full)."""
    start = time.perf_counter()
    try:
        result = client.submit(question, [], api_name="/chat").result(timeout=900)
        reply = result[0][-1]["content"] if result and result[0] else ""
        error = None if reply and not str(reply).startswith("⚠️") else f"bad reply: {str(reply)[:80]}"
    except Exception as exc:  # noqa: BLE001 - a refused or failed request is a result, not a crash
        error = f"{type(exc).__name__}: {str(exc)[:120]}"
    return time.perf_counter() - start, error


def run_level(clients: list[Any], qs: list[str]) -> dict[str, Any]:
    """All clients ask at once; latency per answer, answers per second over the whole burst."""
    start = time.perf_counter()
    with cf.ThreadPoolExecutor(len(clients)) as pool:
        results = list(pool.map(lambda i: ask(clients[i], qs[i % len(qs)]), range(len(clients))))
    wall = time.perf_counter() - start
    ok = [t for t, err in results if err is None]
    errors = [err for _, err in results if err is not None]
    return {
        "n": len(clients),
        "ok": len(ok),
        "failed": len(errors),
        "errors": sorted(set(errors))[:5],
        "wall_s": round(wall, 2),
        "p50_s": round(statistics.median(ok), 3) if ok else None,
        "p95_s": round(percentile(ok, 0.95), 3) if ok else None,
        "max_s": round(max(ok), 3) if ok else None,
        "answers_per_s": round(len(ok) / wall, 3),
    }


def single_latency(client: Any, qs: list[str], n: int) -> list[float]:
    ask(client, "warm-up: RAG 是什么？")  # loads the embedder, BM25, router examples
    out = []
    for q in qs[:n]:
        seconds, error = ask(client, q)
        if error is None:
            out.append(seconds)
    return out


def with_ratios(level: dict[str, Any], single: float) -> dict[str, Any]:
    if level["p50_s"] is None:
        return level
    level["ratio"] = {
        "p50": round(level["p50_s"] / single, 2),
        "p95": round(level["p95_s"] / single, 2),
        "max": round(level["max_s"] / single, 2),
        "answers_per_s_vs_serial": round(level["answers_per_s"] * single, 2),
    }
    return level


def drive_ui(args: argparse.Namespace, qs: list[str]) -> dict[str, Any]:
    server = UIServer(max(args.levels), args.data_dir, json.loads(args.ui_settings))
    try:
        server.wait_ready()
        clients = make_clients(server.url, max(args.levels))
        singles = single_latency(clients[0], qs, args.singles)
        single = statistics.median(singles)
        levels = [with_ratios(run_level(clients[:n], qs), single) for n in args.levels]
        return {
            "single_s": [round(s, 3) for s in singles],
            "single_median_s": round(single, 3),
            "levels": levels,
        }
    finally:
        server.stop()


def drive_api(args: argparse.Namespace, qs: list[str]) -> dict[str, Any]:
    """The OpenAI-compatible API at --api-url; skipped (with the reason) when there is none."""
    if not args.api_url:
        has_api = importlib.util.find_spec("tutor.api") is not None
        reason = (
            "tutor.api exists but no --api-url was given (start `tutor serve` and pass its URL)"
            if has_api
            else "no HTTP API in this tutor (tutor.api is missing)"
        )
        return {"skipped": reason}
    import httpx

    headers = {"Authorization": f"Bearer {args.api_key}"} if args.api_key else {}

    def one(question: str) -> tuple[float, str | None]:
        start = time.perf_counter()
        try:
            r = httpx.post(
                args.api_url.rstrip("/") + "/v1/chat/completions",
                json={"model": "tutor", "messages": [{"role": "user", "content": question}]},
                headers=headers,
                timeout=900,
            )
            error = None if r.status_code == 200 else f"HTTP {r.status_code}"
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}"
        return time.perf_counter() - start, error

    one("warm-up: RAG 是什么？")
    singles = [t for t, e in (one(q) for q in qs[: args.singles]) if e is None]
    single = statistics.median(singles)
    levels = []
    for n in args.levels:
        start = time.perf_counter()
        with cf.ThreadPoolExecutor(n) as pool:
            results = list(pool.map(lambda i: one(qs[i % len(qs)]), range(n)))
        wall = time.perf_counter() - start
        ok = [t for t, e in results if e is None]
        level = {
            "n": n,
            "ok": len(ok),
            "failed": n - len(ok),
            "errors": sorted({e for _, e in results if e})[:5],
            "wall_s": round(wall, 2),
            "p50_s": round(statistics.median(ok), 3) if ok else None,
            "p95_s": round(percentile(ok, 0.95), 3) if ok else None,
            "max_s": round(max(ok), 3) if ok else None,
            "answers_per_s": round(len(ok) / wall, 3),
        }
        levels.append(with_ratios(level, single))
    return {"single_median_s": round(single, 3), "levels": levels}


def plot(report: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    for name, result in report["targets"].items():
        levels = [lv for lv in result.get("levels", []) if lv.get("p50_s") is not None]
        if not levels:
            continue
        ns = [lv["n"] for lv in levels]
        left.plot(ns, [lv["p50_s"] for lv in levels], "o-", label=f"{name} p50")
        left.plot(ns, [lv["p95_s"] for lv in levels], "s--", label=f"{name} p95")
        right.plot(ns, [lv["answers_per_s"] for lv in levels], "o-", label=name)
    left.set(xlabel="concurrent learners", ylabel="latency (s)", title=f"latency ({report['label']})")
    right.set(xlabel="concurrent learners", ylabel="answers/s", title="throughput")
    left.legend()
    right.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--levels", default="10,50,100", help="comma-separated numbers of learners")
    parser.add_argument("--data-dir", type=Path, help="an indexed data dir to copy (default: ingest corpus/)")
    parser.add_argument("--singles", type=int, default=5, help="sequential questions for the baseline")
    parser.add_argument("--label", default="run", help="names the output files")
    parser.add_argument(
        "--ui-settings", default="{}", help='extra ui.* settings as JSON, e.g. {"max_queue": 64}'
    )
    parser.add_argument("--api-url", help="base URL of a running tutor HTTP API")
    parser.add_argument("--api-key", help="its API key")
    parser.add_argument("--skip-ui", action="store_true", help="drive only the HTTP API")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results")
    args = parser.parse_args()
    args.levels = [int(x) for x in args.levels.split(",") if x.strip()]
    qs = questions()
    report: dict[str, Any] = {
        "label": args.label,
        "cpus": os.cpu_count(),
        "load_avg_before": list(os.getloadavg()),
        "questions": len(qs),
        "targets": {},
    }
    if not args.skip_ui:
        report["targets"]["ui"] = drive_ui(args, qs)
    report["targets"]["api"] = drive_api(args, qs)
    report["load_avg_after"] = list(os.getloadavg())
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / f"load-{args.label}.json").write_text(json.dumps(report, indent=2, ensure_ascii=False))
    plot(report, args.out / f"load-{args.label}.png")
    print(json.dumps(report, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
