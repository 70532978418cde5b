"""Fetched bodies -> Markdown documents under `<data_dir>/generated/web/`, which ingest indexes.

HTML goes through trafilatura (main text with headings; navigation, ads and footers dropped),
PDFs through the same loader as local PDFs, text and Markdown as they are.
"""

from __future__ import annotations

import hashlib
import logging
import shutil
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from tutor.errors import InputError
from tutor.ingest.loaders import load_document

__all__ = ["page_doc_id", "extract_page", "write_page"]

log = logging.getLogger(__name__)


def page_doc_id(url: str) -> str:
    host = (urlsplit(url).hostname or "page").replace(".", "-")
    return f"web-{host}-{hashlib.sha1(url.encode('utf-8')).hexdigest()[:8]}"


def extract_page(body: Path, content_type: str, url: str, max_bytes: int) -> tuple[str, str]:
    """(title, markdown) of a fetched body; InputError when nothing readable is in it."""
    if content_type == "application/pdf":
        pdf = body.with_suffix(".pdf")
        shutil.copyfile(body, pdf)
        doc = load_document(pdf, max_bytes=max_bytes)
        return doc.title, doc.text
    raw = body.read_bytes()
    if content_type in ("text/html", "application/xhtml+xml"):
        import trafilatura

        html = raw.decode("utf-8", errors="replace")
        text = trafilatura.extract(
            html,
            url=url,
            output_format="markdown",
            include_comments=False,
            include_tables=True,
            include_links=False,
            favor_precision=True,
        )
        if not text or not text.strip():
            raise InputError(url, "no main text found in the page")
        meta = trafilatura.extract_metadata(html)
        title = (meta.title if meta and meta.title else None) or url
        return title, text
    text = raw.decode("utf-8", errors="replace")
    if not text.strip():
        raise InputError(url, "empty document")
    first = next((line.lstrip("# ").strip() for line in text.splitlines() if line.strip()), url)
    return first[:120], text


def write_page(
    directory: Path, url: str, title: str, text: str, resource: dict[str, Any], fetched_at: str
) -> Path:
    """One Markdown file per resource (named by the resource's URL), citing `url`, the page's final URL."""
    contexts = resource.get("contexts", [])
    skills = sorted({c["skill"] for c in contexts if c.get("skill") is not None})
    stages = sorted({c["stage"] for c in contexts if c.get("stage") is not None})
    meta = {"title": title, "url": url, "resource": resource.get("name") or url, "fetched_at": fetched_at}
    if skills:
        meta["skill"] = skills[0]
    if stages:
        meta["stage"] = stages[0]
    body = text if text.lstrip().startswith("# ") else f"# {title}\n\n{text}"
    content = (
        "---\n" + yaml.safe_dump(meta, allow_unicode=True, sort_keys=False) + "---\n\n" + body.strip() + "\n"
    )
    path = directory / f"{page_doc_id(resource['url'])}.md"
    directory.mkdir(parents=True, exist_ok=True)
    try:
        if path.read_text(encoding="utf-8").split("---\n\n", 1)[-1] == content.split("---\n\n", 1)[-1]:
            return path  # same text: keep the file (and its hash) so ingest skips it
    except OSError:
        pass
    tmp = path.with_suffix(".tmp")
    tmp.write_text(content, encoding="utf-8")
    tmp.replace(path)
    return path
