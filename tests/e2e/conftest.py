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
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def ui_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The UI server's data dir: empty, so the server does a real first run (index, catalog)."""
    return tmp_path_factory.mktemp("ui-first-run")


@pytest.fixture(scope="session")
def ui_log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Everything the UI server prints (warnings included)."""
    return tmp_path_factory.mktemp("ui") / "ui.log"


@pytest.fixture(scope="session")
def ui_server(ui_data: Path, ui_log: Path, models_dir: Path, corpus_copy: Path) -> Iterator[str]:
    """`tutor ui` on a free port, test profile, retrieval-only, on a fresh data dir (a first run: the
    page is served at once while the index and the catalog are built behind it); its URL."""
    port = free_port()
    env = {
        **os.environ,
        "TUTOR_PROFILE": "default,test",
        "TUTOR_DATA_DIR": str(ui_data),
        "TUTOR_MODELS_DIR": str(models_dir),
        "TUTOR_CORPUS__PATHS": f'["{corpus_copy}"]',
        "TUTOR_UI__CONCURRENCY_LIMIT": "4",
        "HF_HUB_OFFLINE": "1",
    }
    exe = Path(sys.executable).with_name("tutor")
    with ui_log.open("w") as out:
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
def axe_js() -> str:
    """axe-core's browser script; scripts/test.sh installs it with npm into .cache/axe."""
    path = Path(os.environ.get("TUTOR_AXE_JS", REPO / ".cache/axe/node_modules/axe-core/axe.min.js"))
    if not path.is_file():
        pytest.fail(
            f"{path} is missing: run `npm install --prefix .cache/axe axe-core@4` (scripts/test.sh does)"
        )
    return path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def browser():
    """Module-scoped on purpose: Playwright's sync API keeps an asyncio loop running in the main thread
    while it is started, so a session-wide browser makes every later `asyncio.run` in the run fail."""
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
