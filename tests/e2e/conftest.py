"""A real `tutor ui` process over the session's corpus index, and Debian's chromium via Playwright."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.servers import free_port, wait_http

ARTIFACTS = Path(
    os.environ.get("TUTOR_TEST_ARTIFACTS", Path(__file__).resolve().parents[2] / "test-artifacts")
)
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def ui_server(corpus_services, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`tutor ui` on a free port, test profile, retrieval-only; its URL."""
    s = corpus_services.settings
    port = free_port()
    log = tmp_path_factory.mktemp("ui") / "ui.log"
    env = {
        **os.environ,
        "TUTOR_PROFILE": "default,test",
        "TUTOR_DATA_DIR": str(s.data_dir),
        "TUTOR_MODELS_DIR": str(s.models_dir),
        "TUTOR_CORPUS__PATHS": f'["{s.corpus.paths[0]}"]',
        "TUTOR_UI__CONCURRENCY_LIMIT": "4",
        "HF_HUB_OFFLINE": "1",
    }
    exe = Path(sys.executable).with_name("tutor")
    with log.open("w") as out:
        proc = subprocess.Popen(
            [str(exe), "ui", "--port", str(port)], env=env, stdout=out, stderr=subprocess.STDOUT
        )
    url = f"http://127.0.0.1:{port}/"
    try:
        wait_http(url, proc, timeout_s=120)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium); .ci/run does this"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-quic",
            ],
        )
        yield b
        b.close()
