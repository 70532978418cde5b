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

The HTTP API (`/v1/chat/completions`, non-streaming, `user` = the learner) is driven too: at
`--api-url`, or through a `tutor serve --no-ui` started the same way (keys off, no rate limit, on
its private loopback port; `--api-workers N` starts it with `--workers N`) when the installed tutor
has `tutor.api`; otherwise it is reported as skipped.
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
    """Distinct material questions (not refusals, not follow-ups) from the answer eval set, taken
    round-robin across its kinds (essay, FAQ, resources, skill criteria, ...), so that any prefix
    mixes answers quoted from passages with the roadmap's structured answers."""
    by_kind: dict[str, list[str]] = {}
    for line in (REPO / "eval" / "answers.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if row.get("route") == "material" and not row.get("refuse") and row.get("kind") != "followup":
            by_kind.setdefault(row["kind"], []).append(row["question"])
    out: list[str] = []
    for i in range(max(len(v) for v in by_kind.values())):
        out += [v[i] for v in by_kind.values() if i < len(v) and v[i] not in out]
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


class Server:
    """`tutor ui` or `tutor serve` in a subprocess with its own data dir and profile; stopped on exit."""

    def __init__(self, command: list[str], data_dir: Path | None, profile: dict[str, Any]) -> None:
        self.tmp = Path(tempfile.mkdtemp(prefix="tutor-load-"))
        self.data = self.tmp / "data"
        if data_dir is not None:
            shutil.copytree(data_dir, self.data)
        self.port = free_port()
        profile = {"data_dir": str(self.data), "llm": {"kind": "none"}, **profile}
        self.profile = self.tmp / "load.yaml"
        self.profile.write_text(json.dumps(profile), encoding="utf-8")  # JSON is YAML
        self.log = self.tmp / "server.log"
        env = {**os.environ, "TUTOR_PROFILE": f"default,{self.profile}", "TUTOR_LOG_LEVEL": "INFO"}
        self.proc = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "tutor"),
                *command,
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

    def wait_ready(self, timeout: float = 900, processes: int = 1) -> None:
        """The index is ready and, where the code warms answer vectors behind the UI, they are too
        (in each of `processes` workers)."""
        from tutor.app import App

        wanted = ["Index ready"]
        if hasattr(App, "warm_answer_vectors"):
            wanted.append("nswer vectors")  # "Answer vectors ready" or "Warming the answer vectors failed"
        deadline = time.time() + timeout
        while time.time() < deadline:
            text = self.log.read_text(encoding="utf-8", errors="replace")
            if all(text.count(w) >= processes for w in wanted):
                return
            if self.proc.poll() is not None or "Start-up failed" in text or "Start-up ingest failed" in text:
                raise RuntimeError(f"the server did not start:\n{text[-3000:]}")
            time.sleep(1)
        raise TimeoutError(f"the server is not ready after {timeout:.0f} s; log at {self.log}")

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
    users = [f"learner{i}:{PASSWORD}" for i in range(max(args.levels))]
    server = Server(["ui"], args.data_dir, {"ui": {"auth": users, **json.loads(args.ui_settings)}})
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


def _api_level(url: str, key: str | None, qs: list[str], n: int, offset: int) -> dict[str, Any]:
    """n requests at once to /v1/chat/completions (non-streaming), one learner each."""
    import httpx

    headers = {"Authorization": f"Bearer {key}"} if key else {}

    def one(i: int) -> tuple[float, str | None]:
        start = time.perf_counter()
        try:
            r = httpx.post(
                url.rstrip("/") + "/v1/chat/completions",
                json={
                    "model": "tutor",
                    "messages": [{"role": "user", "content": qs[(offset + i) % len(qs)]}],
                    "user": f"learner{i}",
                },
                headers=headers,
                timeout=900,
            )
            error = None if r.status_code == 200 else f"HTTP {r.status_code}: {r.text[:80]}"
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}"
        return time.perf_counter() - start, error

    start = time.perf_counter()
    with cf.ThreadPoolExecutor(n) as pool:
        results = list(pool.map(one, range(n)))
    wall = time.perf_counter() - start
    ok = [t for t, e in results if e is None]
    return {
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


def drive_api(args: argparse.Namespace, qs: list[str]) -> dict[str, Any]:
    """The OpenAI-compatible API: at --api-url, or a `tutor serve --no-ui` started here when the
    installed tutor has one (keys off and no rate limit on its private loopback port); otherwise
    reported as skipped, with the reason."""
    server = None
    url, key = args.api_url, args.api_key
    if not url:
        if importlib.util.find_spec("tutor.api") is None:
            return {"skipped": "no HTTP API in this tutor (tutor.api is missing)"}
        api = {"require_keys": False, "rate_limit": "1000000/minute"}
        workers = ["--workers", str(args.api_workers)] if args.api_workers > 1 else []
        server = Server(["serve", "--no-ui", *workers], args.data_dir, {"api": api})
        url = f"http://127.0.0.1:{server.port}"
    try:
        if server is not None:
            server.wait_ready(processes=args.api_workers)
        _api_level(url, key, ["warm-up: RAG 是什么？"], 1, 0)
        singles = []
        for i in range(args.singles):
            level = _api_level(url, key, qs, 1, i)
            if level["ok"]:
                singles.append(level["p50_s"])
        single = statistics.median(singles)
        levels = [with_ratios(_api_level(url, key, qs, n, 0), single) for n in args.levels]
        return {"single_s": singles, "single_median_s": round(single, 3), "levels": levels}
    finally:
        if server is not None:
            server.stop()


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
    parser.add_argument(
        "--api-workers", type=int, default=1, help="`tutor serve --workers N` for the HTTP API (default 1)"
    )
    parser.add_argument("--skip-ui", action="store_true", help="drive only the HTTP API")
    parser.add_argument("--skip-api", action="store_true", help="drive only the UI")
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
    if not args.skip_api:
        report["targets"]["api"] = drive_api(args, qs)
    report["load_avg_after"] = list(os.getloadavg())
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / f"load-{args.label}.json").write_text(json.dumps(report, indent=2, ensure_ascii=False))
    plot(report, args.out / f"load-{args.label}.png")
    print(json.dumps(report, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
