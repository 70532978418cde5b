"""`tutor fetch-resources` and `tutor resources check`: the catalog meets the network."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from tutor.errors import InputError
from tutor.resources.cards import generated_dir
from tutor.resources.catalog import normalize_url
from tutor.resources.fetcher import Fetcher, FetchResult
from tutor.resources.pages import extract_page, page_doc_id, write_page

if TYPE_CHECKING:
    from tutor.services import Services

__all__ = ["FetchSummary", "fetch_resources", "check_resources"]

log = logging.getLogger(__name__)


@dataclass
class FetchSummary:
    results: list[FetchResult] = field(default_factory=list)
    pages_written: int = 0
    ingest: Any = None

    def counts(self) -> dict[str, int]:
        return dict(Counter(r.outcome for r in self.results))

    def failures_by_reason(self) -> dict[str, int]:
        def family(reason: str) -> str:
            return reason.split(" (")[0].split(" after")[0]

        return dict(Counter(family(r.reason) for r in self.results if r.outcome == "failed"))

    def to_json(self) -> dict[str, Any]:
        return {"counts": self.counts(), "failures_by_reason": self.failures_by_reason(),
                "pages_written": self.pages_written, "results": [r.to_json() for r in self.results]}


def _run(coro_factory: Any) -> Any:
    """asyncio.run, also from a thread that already runs an event loop (Gradio, notebooks, Playwright)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro_factory())
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(coro_factory())).result()


def _fetcher(services: Services, concurrency: int | None) -> Fetcher:
    settings = services.settings.resources
    if concurrency:
        settings = settings.model_copy(update={"concurrency": concurrency})
    return Fetcher(settings, services.settings.data_dir / "cache" / "fetch")


def fetch_resources(services: Services, only_new: bool = False, concurrency: int | None = None,
                    progress: Any = None, index: bool | None = None) -> FetchSummary:
    catalog = services.catalog
    resources = {r["url"]: r for r in catalog.resources()}
    todo = [r for r in resources.values() if not (only_new and r["last_fetched"])]
    fetcher = _fetcher(services, concurrency)
    summary = FetchSummary()
    items = [(r["url"], r["etag"], r["last_modified"]) for r in todo]
    summary.results = _run(lambda: fetcher.fetch_many(items, on_done=progress))
    web = generated_dir(services.settings.data_dir) / "web"
    max_bytes = int(services.settings.resources.max_mb * 1_000_000)
    now = datetime.now(UTC).isoformat(timespec="seconds")
    for result in summary.results:
        resource = resources[result.url]
        fields: dict[str, Any] = {"status": result.outcome, "detail": result.reason, "http_status": result.http_status,
                                  "final_url": result.final_url}
        if result.outcome in ("fetched", "unchanged"):
            fields.update(last_fetched=now, etag=result.etag, last_modified=result.last_modified)
            if result.content_hash:
                fields["content_hash"] = result.content_hash
            cached = fetcher.cached(result.url)
            page = web / f"{page_doc_id(result.url)}.md"
            if cached is not None and (result.outcome == "fetched" or not page.exists()):
                try:
                    title, text = extract_page(cached.path, cached.content_type, cached.final_url, max_bytes)
                    write_page(web, cached.final_url, title, text, resource, now)
                    summary.pages_written += 1
                    fields["page_doc"] = page_doc_id(result.url)
                except InputError as exc:
                    result.outcome, result.reason = "failed", f"unreadable ({exc.reason})"
                    fields.update(status="failed", detail=result.reason)
        catalog.record_fetch(result.url, **fields)
    live = {page_doc_id(u) for u in resources}
    for stale in web.glob("*.md") if web.is_dir() else []:
        if stale.stem not in live:
            stale.unlink()  # its resource left the material
    if index if index is not None else services.settings.resources.index_pages:
        summary.ingest = services.ingest()
    return summary


def check_resources(services: Services, concurrency: int | None = None, progress: Any = None) -> list[dict[str, Any]]:
    """Dead or moved links, for the material's maintainer; nothing is re-indexed."""
    catalog = services.catalog
    resources = catalog.resources()
    fetcher = _fetcher(services, concurrency)
    results = _run(lambda: fetcher.check_many([r["url"] for r in resources], on_done=progress))
    now = datetime.now(UTC).isoformat(timespec="seconds")
    out = []
    by_url = {r["url"]: r for r in resources}
    for result in results:
        moved = bool(result.final_url) and normalize_url(result.final_url or "") != result.url
        state = {"failed": "dead", "unreachable": "unreachable"}.get(result.outcome, "moved" if moved else "ok")
        catalog.record_fetch(result.url, last_checked=now, http_status=result.http_status,
                             final_url=result.final_url, status=f"check:{state}", detail=result.reason)
        r = by_url[result.url]
        where = [f"{c['doc']}:{c['line']}" for c in r["contexts"]]
        out.append({"url": result.url, "name": r["name"], "state": state, "reason": result.reason,
                    "http_status": result.http_status, "final_url": result.final_url, "where": where})
    return out
