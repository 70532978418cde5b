"""`tutor serve-llm`: start vLLM's OpenAI-compatible server with the profile's settings.

vLLM is an optional extra (`pip install '.[gpu]'`) that needs an NVIDIA GPU; both are
checked up front so a laptop gets one clear line instead of a long traceback.
"""

from __future__ import annotations

import importlib.util
import logging
import shutil
import signal
import subprocess
import time
from collections.abc import Callable

import httpx

from tutor.config import ServeSettings
from tutor.errors import ConfigError, TutorError

__all__ = ["vllm_command", "check_vllm_available", "serve_vllm", "wait_for_health"]

log = logging.getLogger(__name__)


def vllm_command(s: ServeSettings) -> list[str]:
    cmd = [
        "vllm",
        "serve",
        s.model,
        "--host",
        s.host,
        "--port",
        str(s.port),
        "--gpu-memory-utilization",
        f"{s.gpu_memory_utilization:g}",
        "--max-model-len",
        str(s.max_model_len),
        "--tensor-parallel-size",
        str(s.tensor_parallel_size),
        "--dtype",
        s.dtype,
    ]
    if s.enable_prefix_caching:
        cmd.append("--enable-prefix-caching")
    if s.served_model_name:
        cmd += ["--served-model-name", s.served_model_name]
    return cmd + list(s.extra_args)


def check_vllm_available() -> None:
    """Raise ConfigError with the one line to show when vLLM or a GPU is missing."""
    if importlib.util.find_spec("vllm") is None or shutil.which("vllm") is None:
        raise ConfigError(
            "vLLM is not installed: on a machine with an NVIDIA GPU run `pip install '.[gpu]'`; "
            "without a GPU use llm.kind=llamacpp or the default extractive mode."
        )
    if shutil.which("nvidia-smi") is None:
        raise ConfigError(
            "No NVIDIA GPU found (nvidia-smi is missing); vLLM needs one. Use llm.kind=llamacpp "
            "on CPU instead."
        )


def wait_for_health(url: str, alive: Callable[[], bool], timeout_s: float, interval_s: float = 2.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if not alive():
            raise TutorError(
                "vLLM exited during start-up; see its log above (model name, GPU memory, max-model-len)."
            )
        try:
            if httpx.get(url, timeout=2.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(interval_s)
    raise TutorError(
        f"vLLM did not become healthy at {url} within {timeout_s:g} s; it is still loading or stuck."
    )


def serve_vllm(s: ServeSettings, on_ready: Callable[[str], None]) -> int:
    """Run vLLM in the foreground until Ctrl-C; returns its exit code."""
    check_vllm_available()
    cmd = vllm_command(s)
    log.info("Starting: %s", " ".join(cmd))
    proc = subprocess.Popen(cmd)
    host = "127.0.0.1" if s.host in ("0.0.0.0", "::") else s.host
    try:
        wait_for_health(f"http://{host}:{s.port}/health", lambda: proc.poll() is None, s.startup_timeout_s)
        on_ready(f"http://{host}:{s.port}/v1")
        return proc.wait()
    except KeyboardInterrupt:
        log.info("Stopping vLLM")
        return 0
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
