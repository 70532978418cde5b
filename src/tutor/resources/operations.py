"""`tutor fetch-resources` and `tutor resources check`: the catalog meets the network."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tutor.config import Settings
from tutor.errors import InputError
from tutor.ingest.pipeline import IngestReport
from tutor.resources.cards import generated_dir
from tutor.resources.catalog import normalize_url
from tutor.resources.fetcher import Fetcher, FetchResult
from tutor.resources.pages import extract_page, page_doc_id, write_page
from tutor.resources.store import CatalogStore
from tutor.timeutil import utc_now

Progress = Callable[[FetchResult], None]

__all__ = ["FetchSummary", "check_resources", "ensure_catalog", "fetch_resources", "to_fetch"]

log = logging.getLogger(__name__)


@dataclass
class FetchSummary:
    results: list[FetchResult] = field(default_factory=list)
    pages_written: int = 0
    ingest: IngestReport | None = None

    def counts(self) -> dict[str, int]:
        return dict(Counter(r.outcome for r in self.results))

    def failures_by_reason(self) -> dict[str, int]:
        def family(reason: str) -> str:
            return reason.split(" (")[0].split(" after")[0]

        return dict(Counter(family(r.reason) for r in self.results if r.outcome == "failed"))

    def to_json(self) -> dict[str, Any]:
        return {
            "counts": self.counts(),
            "failures_by_reason": self.failures_by_reason(),
            "pages_written": self.pages_written,
            "results": [r.to_json() for r in self.results],
        }


def _run(coro_factory: Callable[[], Any]) -> Any:
    """asyncio.run, also from a thread that already runs an event loop (Gradio, notebooks, Playwright)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro_factory())
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(coro_factory())).result()


def _fetcher(settings: Settings, concurrency: int | None) -> Fetcher:
    cfg = settings.resources
    if concurrency:
        cfg = cfg.model_copy(update={"concurrency": concurrency})
    return Fetcher(cfg, settings.data_dir / "cache" / "fetch")


def fetch_resources(
    catalog: CatalogStore,
    settings: Settings,
    ingest: Callable[[], IngestReport],
    only_new: bool = False,
    concurrency: int | None = None,
    progress: Progress | None = None,
    index: bool | None = None,
) -> FetchSummary:
    """Fetch every (or every new) resource, write its page document and, by default, re-index."""
    resources = {r["url"]: r for r in catalog.resources()}
    todo = to_fetch(catalog, only_new)
    fetcher = _fetcher(settings, concurrency)
    summary = FetchSummary()
    items = [(r["url"], r["etag"], r["last_modified"]) for r in todo]
    summary.results = _run(lambda: fetcher.fetch_many(items, on_done=progress))
    web = generated_dir(settings.data_dir) / "web"
    max_bytes = int(settings.resources.max_mb * 1_000_000)
    now = utc_now()
    for result in summary.results:
        resource = resources[result.url]
        fields: dict[str, Any] = {
            "status": result.outcome,
            "detail": result.reason,
            "http_status": result.http_status,
            "final_url": result.final_url,
        }
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
    if index if index is not None else settings.resources.index_pages:
        summary.ingest = ingest()
    return summary


def ensure_catalog(catalog: CatalogStore, ingest: Callable[[], IngestReport]) -> None:
    """The catalog is filled by `tutor ingest`; run it first when it never ran."""
    if not catalog.doc_revs():
        ingest()


def to_fetch(catalog: CatalogStore, only_new: bool) -> list[dict[str, Any]]:
    """The resources a fetch will request: all of them, or those never fetched."""
    return [r for r in catalog.resources() if not (only_new and r["last_fetched"])]


def check_resources(
    catalog: CatalogStore,
    settings: Settings,
    concurrency: int | None = None,
    progress: Progress | None = None,
) -> list[dict[str, Any]]:
    """Dead or moved links, for the material's maintainer; nothing is re-indexed."""
    resources = catalog.resources()
    fetcher = _fetcher(settings, concurrency)
    results = _run(lambda: fetcher.check_many([r["url"] for r in resources], on_done=progress))
    now = utc_now()
    out = []
    by_url = {r["url"]: r for r in resources}
    for result in results:
        moved = bool(result.final_url) and normalize_url(result.final_url or "") != result.url
        state = {"failed": "dead", "unreachable": "unreachable"}.get(
            result.outcome, "moved" if moved else "ok"
        )
        catalog.record_fetch(
            result.url,
            last_checked=now,
            http_status=result.http_status,
            final_url=result.final_url,
            status=f"check:{state}",
            detail=result.reason,
        )
        r = by_url[result.url]
        where = [f"{c['doc']}:{c['line']}" for c in r["contexts"]]
        out.append(
            {
                "url": result.url,
                "name": r["name"],
                "state": state,
                "reason": result.reason,
                "http_status": result.http_status,
                "final_url": result.final_url,
                "where": where,
            }
        )
    return out
