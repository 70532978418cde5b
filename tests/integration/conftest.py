"""Fixtures of the integration tests that start real servers."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.integration.api_fixtures import api_server
from tests.servers import free_port, start_llama_server, stop, wait_http

__all__ = ["api_server", "llama_server"]


@pytest.fixture(scope="session")
def llama_server() -> Iterator[str]:
    """`python -m llama_cpp.server` with the tiny SmolLM2 model on a free loopback port; its /v1 URL."""
    port = free_port()
    proc = start_llama_server(port)
    try:
        wait_http(f"http://127.0.0.1:{port}/v1/models", proc, timeout_s=120)
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        stop(proc)
