"""Request size and per-key rate limits.

The size limit is ASGI middleware: a declared Content-Length over the limit is refused before the
body is read, and a chunked body is counted as it arrives.  Rate limits use the `limits` library
(moving window, per API key); its storage URI decides whether replicas share the counters.
"""

from __future__ import annotations

import json
import logging
import math
import time
from typing import Any

from limits import parse_many
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from tutor.errors import ConfigError

__all__ = ["BodyLimit", "RateLimiter"]

log = logging.getLogger(__name__)

Scope = dict[str, Any]


class _TooLarge(Exception):
    pass


class BodyLimit:
    """ASGI middleware: 413 for request bodies over `max_bytes` (declared or counted)."""

    def __init__(self, app: Any, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope.get("type") != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            await self._refuse(send)
            return
        seen = 0
        started = False

        async def counting_receive() -> Any:
            nonlocal seen
            message = await receive()
            if message.get("type") == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise _TooLarge
            return message

        async def tracking_send(message: Any) -> None:
            nonlocal started
            started = started or message.get("type") == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except _TooLarge:
            if not started:
                await self._refuse(send)

    async def _refuse(self, send: Any) -> None:
        body = json.dumps(
            {
                "error": {
                    "message": f"request body over {self.max_bytes} bytes; send less (api.max_body_bytes)",
                    "type": "request_too_large",
                }
            }
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


class RateLimiter:
    """Moving-window limits per key: `hit(key)` is 0 when allowed, else the seconds to wait."""

    def __init__(self, spec: str, storage_uri: str) -> None:
        try:
            self.limits = parse_many(spec)
        except ValueError as exc:
            raise ConfigError(f"api.rate_limit '{spec}' is not a rate like '60/minute': {exc}") from exc
        try:
            self._limiter = MovingWindowRateLimiter(storage_from_string(storage_uri))
        except Exception as exc:  # noqa: BLE001 - the library raises several types for a bad URI
            raise ConfigError(f"api.rate_limit_storage '{storage_uri}' cannot be used: {exc}") from exc
        self.spec = spec

    def hit(self, key: str) -> float:
        for item in self.limits:
            if not self._limiter.hit(item, "api", key):
                reset = self._limiter.get_window_stats(item, "api", key).reset_time
                return max(1.0, math.ceil(reset - time.time()))
        return 0.0
