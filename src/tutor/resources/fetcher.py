"""A polite fetcher for the linked pages: async httpx, per-host limits and delay, robots.txt,
size and type limits, retries with backoff, conditional requests, an on-disk cache.

Every failure is recorded per URL with its reason; none stops the run.
"""

from __future__ import annotations

import asyncio
import email.utils
import hashlib
import itertools
import json
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

import httpx

from tutor.config import ResourceSettings
from tutor.timeutil import utc_now

__all__ = ["FetchResult", "Fetcher", "CachedBody"]

log = logging.getLogger(__name__)

Outcome = str  # fetched | unchanged | failed


@dataclass
class FetchResult:
    url: str
    outcome: Outcome
    reason: str = ""
    http_status: int | None = None
    final_url: str | None = None
    content_type: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    content_hash: str | None = None
    body_path: str | None = None
    seconds: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class CachedBody:
    path: Path
    content_type: str
    final_url: str


class _TooBig(Exception):
    pass


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        parsed = email.utils.parsedate_to_datetime(value)
        return max(0.0, (parsed - datetime.now(parsed.tzinfo)).total_seconds()) if parsed else None


def _connect_reason(exc: Exception) -> str:
    text = str(exc)
    dns = "Name or service" in text or "getaddrinfo" in text or "nodename" in text
    return f"{'DNS lookup failed' if dns else 'connection refused or unreachable'} ({type(exc).__name__})"


def _not_modified(r: httpx.Response, url: str, etag: str | None, last_modified: str | None) -> FetchResult:
    """A 304: the cached body is current; keep the validators the server sent (or ours)."""
    return FetchResult(
        url,
        "unchanged",
        "not modified (304)",
        304,
        str(r.url),
        etag=r.headers.get("etag") or etag,
        last_modified=r.headers.get("last-modified") or last_modified,
    )


def _content_type(r: httpx.Response) -> str:
    return r.headers.get("content-type", "").split(";")[0].strip().lower()


class Fetcher:
    def __init__(self, settings: ResourceSettings, cache_dir: Path, *, backoff_s: float = 1.0) -> None:
        self.s = settings
        self.cache_dir = cache_dir
        self.backoff_s = backoff_s
        self._host_sem: dict[str, asyncio.Semaphore] = {}
        self._host_last: dict[str, float] = {}
        self._host_lock: dict[str, asyncio.Lock] = {}
        self._robots: dict[str, RobotFileParser | None] = {}
        self._robots_lock: dict[str, asyncio.Lock] = {}
        self._dead: dict[str, str] = {}  # origin -> why it cannot be reached (offline runs end fast)

    # --- cache ---------------------------------------------------------------
    def _cache_paths(self, url: str) -> tuple[Path, Path]:
        key = hashlib.sha1(url.encode("utf-8")).hexdigest()
        return self.cache_dir / f"{key}.body", self.cache_dir / f"{key}.json"

    def cached(self, url: str) -> CachedBody | None:
        body, meta = self._cache_paths(url)
        try:
            info = json.loads(meta.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return (
            CachedBody(body, info.get("content_type", ""), info.get("final_url", url))
            if body.exists()
            else None
        )

    def _store(self, url: str, data: bytes, result: FetchResult) -> None:
        body, meta = self._cache_paths(url)
        body.parent.mkdir(parents=True, exist_ok=True)
        tmp = body.with_suffix(".tmp")
        tmp.write_bytes(data)
        tmp.replace(body)
        meta.write_text(
            json.dumps(
                {
                    "url": url,
                    "final_url": result.final_url,
                    "content_type": result.content_type,
                    "etag": result.etag,
                    "last_modified": result.last_modified,
                    "fetched_at": utc_now(),
                }
            ),
            encoding="utf-8",
        )
        result.body_path = str(body)

    # --- politeness ----------------------------------------------------------
    async def _polite(self, host: str) -> None:
        lock = self._host_lock.setdefault(host, asyncio.Lock())
        async with lock:
            wait = self._host_last.get(host, 0.0) + self.s.delay_s - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            self._host_last[host] = time.monotonic()

    async def _allowed(self, client: httpx.AsyncClient, url: str) -> bool:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        lock = self._robots_lock.setdefault(origin, asyncio.Lock())
        async with lock:
            if origin not in self._robots:
                parser: RobotFileParser | None = None
                try:
                    await self._polite(parts.netloc)
                    r = await client.get(f"{origin}/robots.txt", timeout=self.s.timeout_s)
                    if r.status_code == 200:
                        parser = RobotFileParser()
                        parser.parse(r.text.splitlines())
                except httpx.ConnectError as exc:
                    self._dead[origin] = _connect_reason(exc)
                except httpx.HTTPError:
                    parser = None  # no robots.txt (timeout, bad reply): the page request will tell
                self._robots[origin] = parser
        parser = self._robots[origin]
        return True if parser is None else parser.can_fetch(self.s.user_agent, url)

    # --- one URL -------------------------------------------------------------
    async def fetch_one(
        self, client: httpx.AsyncClient, url: str, etag: str | None = None, last_modified: str | None = None
    ) -> FetchResult:
        start = time.monotonic()
        result = await self._fetch_one(client, url, etag, last_modified)
        result.seconds = round(time.monotonic() - start, 3)
        return result

    async def _refusal(self, client: httpx.AsyncClient, url: str) -> FetchResult | None:
        """A failed result when the URL must not be requested (invalid, host dead, robots.txt), else None."""
        parts = urlsplit(url)
        try:
            allowed = await self._allowed(client, url)
            dead = self._dead.get(f"{parts.scheme}://{parts.netloc}")
            if dead:
                return FetchResult(url, "failed", dead)
            if not allowed:
                return FetchResult(url, "failed", "robots.txt disallows it")
        except httpx.InvalidURL as exc:
            return FetchResult(url, "failed", f"invalid URL ({exc})")
        return None

    def _conditional_headers(self, url: str, etag: str | None, last_modified: str | None) -> dict[str, str]:
        headers = {}
        if self.cached(url) is not None:  # conditional only when we still hold the body
            if etag:
                headers["If-None-Match"] = etag
            if last_modified:
                headers["If-Modified-Since"] = last_modified
        return headers

    async def _fetch_one(
        self, client: httpx.AsyncClient, url: str, etag: str | None, last_modified: str | None
    ) -> FetchResult:
        refused = await self._refusal(client, url)
        if refused is not None:
            return refused
        host = urlsplit(url).netloc
        headers = self._conditional_headers(url, etag, last_modified)
        max_bytes = int(self.s.max_mb * 1_000_000)
        sem = self._host_sem.setdefault(host, asyncio.Semaphore(self.s.per_host))
        for attempt in itertools.count(1):
            async with sem:
                await self._polite(host)
                try:
                    async with client.stream("GET", url, headers=headers, timeout=self.s.timeout_s) as r:
                        final = str(r.url)
                        if r.status_code == 304:
                            return _not_modified(r, url, etag, last_modified)
                        if r.status_code == 429 or r.status_code >= 500:
                            if attempt <= self.s.retries:
                                delay = _retry_after(r.headers.get("retry-after")) or self.backoff_s * 2 ** (
                                    attempt - 1
                                )
                                await asyncio.sleep(min(delay, 30.0))
                                continue
                            return FetchResult(
                                url,
                                "failed",
                                f"HTTP {r.status_code} after {attempt} tries",
                                r.status_code,
                                final,
                            )
                        refused = self._unacceptable(r, url, max_bytes)
                        if refused is not None:
                            return refused
                        return await self._download(r, url, max_bytes)
                except _TooBig:
                    return FetchResult(url, "failed", f"too big (> {self.s.max_mb:g} MB)")
                except httpx.TimeoutException:
                    if attempt <= self.s.retries:
                        await asyncio.sleep(self.backoff_s * 2 ** (attempt - 1))
                        continue
                    return FetchResult(
                        url, "failed", f"timeout after {attempt} tries ({self.s.timeout_s:g} s)"
                    )
                except httpx.TooManyRedirects:
                    return FetchResult(url, "failed", "too many redirects")
                except httpx.ConnectError as exc:
                    return FetchResult(url, "failed", _connect_reason(exc))
                except httpx.HTTPError as exc:
                    return FetchResult(url, "failed", f"{type(exc).__name__}: {str(exc)[:120]}")
        raise AssertionError("unreachable: every attempt returns or retries")

    async def _download(self, r: httpx.Response, url: str, max_bytes: int) -> FetchResult:
        """Read the body (raising _TooBig past `max_bytes`), cache it and describe it."""
        data = bytearray()
        async for piece in r.aiter_bytes():
            data.extend(piece)
            if len(data) > max_bytes:
                raise _TooBig
        result = FetchResult(
            url,
            "fetched",
            "",
            r.status_code,
            str(r.url),
            _content_type(r),
            etag=r.headers.get("etag"),
            last_modified=r.headers.get("last-modified"),
            content_hash=hashlib.sha256(bytes(data)).hexdigest(),
        )
        self._store(url, bytes(data), result)
        return result

    def _unacceptable(self, r: httpx.Response, url: str, max_bytes: int) -> FetchResult | None:
        """A failed result for an error status, a type we do not read or a declared size over the limit."""
        final = str(r.url)
        if r.status_code >= 400:
            return FetchResult(url, "failed", f"HTTP {r.status_code}", r.status_code, final)
        ctype = _content_type(r)
        if ctype not in self.s.allowed_types:
            return FetchResult(url, "failed", f"wrong type ({ctype or 'none'})", r.status_code, final, ctype)
        declared = int(r.headers.get("content-length") or 0)
        if declared > max_bytes:
            return FetchResult(
                url,
                "failed",
                f"too big ({declared / 1e6:.1f} MB > {self.s.max_mb:g} MB)",
                r.status_code,
                final,
                ctype,
            )
        return None

    # --- many URLs -----------------------------------------------------------
    async def fetch_many(
        self,
        items: Sequence[tuple[str, str | None, str | None]],
        on_done: Callable[[FetchResult], None] | None = None,
    ) -> list[FetchResult]:
        limits = httpx.Limits(
            max_connections=self.s.concurrency, max_keepalive_connections=self.s.concurrency
        )
        gate = asyncio.Semaphore(self.s.concurrency)
        async with httpx.AsyncClient(
            headers={"User-Agent": self.s.user_agent}, follow_redirects=True, max_redirects=10, limits=limits
        ) as client:

            async def run(item: tuple[str, str | None, str | None]) -> FetchResult:
                async with gate:
                    result = await self.fetch_one(client, *item)
                if on_done:
                    on_done(result)
                return result

            return list(await asyncio.gather(*(run(i) for i in items)))

    async def check_one(self, client: httpx.AsyncClient, url: str) -> FetchResult:
        """HEAD (GET when HEAD is refused), redirects followed: is the link dead or moved?"""
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin in self._dead:
            return FetchResult(url, "unreachable", self._dead[origin])
        try:
            await self._polite(parts.netloc)
            r = await client.head(url, timeout=self.s.timeout_s)
            if r.status_code in (405, 501):
                r = await client.get(url, timeout=self.s.timeout_s)
        except httpx.TimeoutException:
            return FetchResult(url, "unreachable", "timeout")
        except httpx.ConnectError as exc:
            self._dead[origin] = _connect_reason(exc)
            return FetchResult(url, "unreachable", self._dead[origin])
        except httpx.HTTPError as exc:
            return FetchResult(url, "unreachable", f"{type(exc).__name__}")
        outcome = "ok" if r.status_code < 400 else "failed"
        return FetchResult(
            url, outcome, "" if outcome == "ok" else f"HTTP {r.status_code}", r.status_code, str(r.url)
        )

    async def check_many(
        self, urls: Sequence[str], on_done: Callable[[FetchResult], None] | None = None
    ) -> list[FetchResult]:
        gate = asyncio.Semaphore(self.s.concurrency)
        async with httpx.AsyncClient(
            headers={"User-Agent": self.s.user_agent}, follow_redirects=True, max_redirects=10
        ) as client:

            async def run(url: str) -> FetchResult:
                async with gate:
                    result = await self.check_one(client, url)
                if on_done:
                    on_done(result)
                return result

            return list(await asyncio.gather(*(run(u) for u in urls)))
