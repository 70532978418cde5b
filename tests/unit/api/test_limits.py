"""Request size limits (ASGI middleware) and per-key rate limits, on a tiny app in process."""

from __future__ import annotations

import pytest
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient

from tutor.api.limits import BodyLimit, RateLimiter
from tutor.errors import ConfigError


@pytest.fixture
def client() -> TestClient:
    app = FastAPI()

    @app.post("/echo")
    async def echo(request: Request) -> dict[str, int]:
        return {"bytes": len(await request.body())}

    app.add_middleware(BodyLimit, max_bytes=1_000)
    return TestClient(app)


def test_bodies_within_the_limit_pass(client: TestClient) -> None:
    assert client.post("/echo", content=b"x" * 1_000).json() == {"bytes": 1_000}


def test_a_declared_large_body_is_refused_before_it_is_read(client: TestClient) -> None:
    response = client.post("/echo", content=b"x" * 1_001)
    assert response.status_code == 413 and "api.max_body_bytes" in response.json()["error"]["message"]


def test_a_chunked_body_is_counted_as_it_arrives(client: TestClient) -> None:
    response = client.post("/echo", content=(b"x" * 400 for _ in range(3)))  # no Content-Length
    assert response.status_code == 413


def test_rate_limits_are_per_key() -> None:
    limiter = RateLimiter("3/minute", "memory://")
    assert [limiter.hit("a") for _ in range(3)] == [0, 0, 0]
    assert limiter.hit("a") >= 1  # seconds to wait
    assert limiter.hit("b") == 0


@pytest.mark.parametrize(("spec", "storage"), [("lots", "memory://"), ("3/minute", "nosuch://x")])
def test_bad_limit_settings_name_the_setting(spec: str, storage: str) -> None:
    with pytest.raises(ConfigError, match="api.rate_limit"):
        RateLimiter(spec, storage)
