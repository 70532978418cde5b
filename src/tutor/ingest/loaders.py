"""Read files (Markdown, text, HTML, PDF) into documents, refusing bad input with a reason.

Every refusal is an :class:`InputError` naming the file and what is wrong, so
one bad file never stops an ingest and the user knows what to fix.
"""

from __future__ import annotations

import hashlib
import logging
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from fnmatch import fnmatch
from pathlib import Path
from typing import Any, Literal

import yaml

from tutor.config import CorpusSettings
from tutor.errors import InputError
from tutor.markdown import scan

__all__ = ["Document", "DocKind", "decode_text", "discover", "load_document", "SUFFIX_KINDS"]

log = logging.getLogger(__name__)

DocKind = Literal["markdown", "text", "html", "pdf"]
SUFFIX_KINDS: dict[str, DocKind] = {
    ".md": "markdown",
    ".markdown": "markdown",
    ".txt": "text",
    ".html": "html",
    ".htm": "html",
    ".pdf": "pdf",
}
_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)^(?:---|\.\.\.)[ \t]*\r?\n?", re.S | re.M)


@dataclass
class Document:
    """A loaded source file: its text (as Markdown where the format allows) and metadata."""

    doc_id: str
    path: Path
    kind: DocKind
    text: str
    title: str
    content_hash: str
    line_offset: int = 0  # lines before `text` in the original file (front matter)
    metadata: dict[str, Any] = field(default_factory=dict)
    source_url: str | None = None


def discover(root: Path, include: list[str], exclude: list[str]) -> list[Path]:
    """Files under `root` (or `root` itself) that match include and no exclude pattern."""
    if root.is_file():
        return [root]
    if not root.exists():
        raise InputError(root, "no such file or directory; check the path")
    if not root.is_dir():
        raise InputError(root, "not a regular file or directory")
    found: list[Path] = []
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if any(fnmatch(part, pat) for part in rel.parts for pat in exclude) or any(
            fnmatch(rel.as_posix(), pat) for pat in exclude
        ):
            continue
        dangling = path.is_symlink() and not path.exists()  # reported by the loader, not skipped
        if (path.is_file() or dangling) and any(
            fnmatch(path.name, pat) or fnmatch(rel.as_posix(), pat) for pat in include
        ):
            found.append(path)
    return found


def discover_all(roots: Iterable[Path], corpus: CorpusSettings) -> list[Path]:
    """The corpus files under every root, in root order (see `discover`)."""
    return [path for root in roots for path in discover(root, corpus.include, corpus.exclude)]


def _plausible_text(text: str) -> bool:
    """True if decoded text looks like human text rather than mis-decoded bytes."""
    if not text:
        return True
    bad = sum(
        1 for ch in text if (unicodedata.category(ch) in ("Cc", "Co", "Cs", "Cn") and ch not in "\t\n\r\f")
    )
    return bad / len(text) < 0.001


def decode_text(raw: bytes, path: Path) -> tuple[str, str]:
    """Decode bytes as UTF-8 (with or without BOM), UTF-16 with BOM, or GB18030/GBK.

    Returns (text, encoding).  Anything else raises instead of being guessed: a
    wrong guess would silently index garbage.
    """
    if raw.startswith(b"\xef\xbb\xbf"):
        candidates = ["utf-8-sig"]
    elif raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        candidates = ["utf-16"]
    else:
        if b"\x00" in raw[:8192]:
            raise InputError(path, "binary file (contains NUL bytes); only text, HTML and PDF are read")
        candidates = ["utf-8", "gb18030"]
    for encoding in candidates:
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _plausible_text(text):
            return text.replace("\r\n", "\n").replace("\r", "\n"), encoding
    raise InputError(
        path,
        "cannot decode text: not UTF-8, UTF-16 (with BOM) or GB18030/GBK; re-save the file as UTF-8",
    )


def _split_front_matter(text: str, path: Path) -> tuple[dict[str, Any], str, int]:
    match = _FRONT_MATTER.match(text)
    if not match:
        if text.startswith("---\n") and text.count("\n---") == 0:
            raise InputError(path, "broken front matter: opening '---' has no closing '---'")
        return {}, text, 0
    try:
        meta = yaml.safe_load(match.group(1)) or {}
    except yaml.YAMLError as exc:
        first = str(exc).splitlines()[0] if str(exc) else "YAML error"
        raise InputError(path, f"broken front matter (YAML): {first}; fix or remove it") from exc
    if not isinstance(meta, dict):
        raise InputError(path, "broken front matter: expected 'key: value' lines")
    consumed = text[: match.end()]
    return meta, text[match.end() :], consumed.count("\n")


def _first_h1(markdown: str) -> str | None:
    """The first level-1 heading outside fenced code (``# comment`` in bash is no title)."""
    return next(
        (ln.heading.text for ln in scan(markdown.splitlines()) if ln.heading and ln.heading.level == 1), None
    )


def _title_from_name(path: Path) -> str:
    return re.sub(r"[-_]+", " ", path.stem).strip() or path.name


def _html_to_markdown(html: str) -> tuple[str, str | None]:
    from bs4 import BeautifulSoup
    from markdownify import markdownify

    soup = BeautifulSoup(html, "html.parser")
    title = soup.title.get_text(strip=True) if soup.title else None
    for tag in soup(["script", "style", "noscript", "template"]):
        tag.decompose()
    body = soup.body or soup
    markdown = markdownify(str(body), heading_style="ATX", bullets="-")
    markdown = re.sub(r"\n{3,}", "\n\n", markdown).strip() + "\n"
    return markdown, title


def _pdf_to_text(raw: bytes, path: Path) -> tuple[str, str | None]:
    import io

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(raw))
        if reader.is_encrypted:
            raise InputError(path, "encrypted PDF; decrypt it first")
        pages = [(page.extract_text() or "").strip() for page in reader.pages]
    except InputError:
        raise
    except (PdfReadError, ValueError, KeyError, OSError) as exc:
        raise InputError(path, f"unreadable PDF ({exc.__class__.__name__}: {exc})") from exc
    title = None
    try:
        title = reader.metadata.get("/Title") if reader.metadata else None
    except Exception:  # noqa: BLE001 - metadata is optional; a broken info dict must not sink the text
        title = None
    parts = [f"## Page {i}\n\n{text}\n" for i, text in enumerate(pages, 1) if text]
    return "\n".join(parts), (str(title) if title else None)


def load_document(path: Path, max_bytes: int, source_url: str | None = None) -> Document:
    """Load one file; raises InputError naming the file for every kind of bad input."""
    kind = SUFFIX_KINDS.get(path.suffix.lower())
    if kind is None:
        raise InputError(path, f"unsupported file type '{path.suffix}'; use .md, .txt, .html or .pdf")
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise InputError(
                path,
                f"file is {size / 1e6:.1f} MB, over the {max_bytes / 1e6:.1f} MB limit "
                "(corpus.max_file_mb); split it or raise the limit",
            )
        raw = path.read_bytes()
    except PermissionError as exc:
        raise InputError(path, "permission denied; make the file readable") from exc
    except IsADirectoryError as exc:
        raise InputError(path, "is a directory, not a file") from exc
    except OSError as exc:
        raise InputError(path, f"cannot read: {exc.strerror or exc}") from exc
    if not raw.strip():
        raise InputError(path, "empty file; add content or remove it")
    content_hash = hashlib.sha256(raw).hexdigest()
    meta: dict[str, Any] = {}
    offset = 0
    title: str | None = None
    if kind == "pdf":
        if not raw.startswith(b"%PDF"):
            raise InputError(path, "not a PDF (missing %PDF header)")
        text, title = _pdf_to_text(raw, path)
        encoding = "pdf"
    else:
        text, encoding = decode_text(raw, path)
        if kind == "markdown":
            meta, text, offset = _split_front_matter(text, path)
        elif kind == "html":
            text, title = _html_to_markdown(text)
    if not text.strip():
        raise InputError(path, "no text content (empty after removing front matter/markup)")
    if kind in ("markdown", "html"):
        title = _first_h1(text) or (str(meta["title"]) if meta.get("title") else None) or title
    else:
        title = title or (str(meta["title"]) if meta.get("title") else None)
    meta["encoding"] = encoding
    link = meta.get("sourceLink") or meta.get("source") or meta.get("url")
    return Document(
        doc_id=path.stem,
        path=path,
        kind=kind,
        text=text,
        title=title or _title_from_name(path),
        content_hash=content_hash,
        line_offset=offset,
        metadata=meta,
        source_url=source_url or (str(link) if link else None),
    )
