"""Every link in the material as a catalog: one resource per normalised URL, with all its contexts.

Table rows (name, type, language, stars, link), paper entries (title, arXiv link, 解读 link),
inline Markdown links and bare URLs are found with their document, heading path, stage,
skill and line.  The same URL under several skills is one resource with several contexts.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from tutor.ingest.links import extract_links
from tutor.ingest.tables import row_fields, split_table, strip_md
from tutor.markdown import scan
from tutor.patterns import SKILL_REF, STAGE_REF

__all__ = ["Context", "CatalogEntry", "extract_catalog", "normalize_url", "merge_entries"]

_PAPER_TITLE = re.compile(r"^\s*\d+[.)]\s+\*\*(.+?)\*\*\s*(.*)$")
_PAPER_LINK = re.compile(
    r"^\s*[-*+]\s*(链接|解读|论文|paper|link|video)\s*[:：]\s*(https?://\S+)", re.IGNORECASE
)
_TRACKING = re.compile(r"^(utm_|spm$|from$|share_source$|vd_source$)")


def normalize_url(url: str) -> str:
    """Lower-case scheme and host, no default port, fragment or tracking parameters, no trailing slash."""
    url = url.strip().rstrip(".,;:!?，。；：！？）)")
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.port and not (
        (parts.scheme == "http" and parts.port == 80) or (parts.scheme == "https" and parts.port == 443)
    ):
        host = f"{host}:{parts.port}"
    query = urlencode(
        [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _TRACKING.match(k)]
    )
    path = parts.path.rstrip("/") if parts.path not in ("", "/") else ""
    return urlunsplit((parts.scheme.lower(), host, path, query, ""))


@dataclass
class Context:
    doc: str
    headings: list[str]
    line: int
    sentence: str
    kind: str  # table | paper | explainer | inline | bare
    stage: int | None = None
    skill: int | None = None


@dataclass
class CatalogEntry:
    url: str
    name: str
    type: str | None = None
    lang: str | None = None
    stars: int | None = None
    contexts: list[Context] = field(default_factory=list)


def _position(headings: list[str]) -> tuple[int | None, int | None]:
    stage = skill = None
    for h in headings:
        if (m := STAGE_REF.search(h)) and stage is None:
            stage = int(m.group(1))
        if (m := SKILL_REF.search(h)) and skill is None:
            skill = int(m.group(1))
    return stage, skill


def _name_from_url(url: str) -> str:
    parts = urlsplit(url)
    tail = [p for p in parts.path.split("/") if p]
    return f"{parts.hostname}{'/' + tail[-1] if tail else ''}"


def extract_catalog(doc_id: str, text: str, line_offset: int = 0) -> list[CatalogEntry]:
    """Every link of one Markdown document, in reading order (not yet merged by URL)."""
    lines = text.split("\n")
    walked = list(scan(lines))
    out: list[CatalogEntry] = []
    paper: tuple[str, int] | None = None  # the current numbered bold paper title and its line
    i = 0
    while i < len(lines):
        line, info = lines[i], walked[i]
        if info.code or info.heading:
            paper = None if info.heading else paper
            i += 1
            continue
        ctx = _Place(doc_id, list(info.section.trail) if info.section else [], i, line_offset).context
        if line.lstrip().startswith("|"):
            start = i
            while i < len(lines) and lines[i].lstrip().startswith("|"):
                i += 1
            out.extend(_table_entries(lines, start, i, ctx))
            continue
        if m := _PAPER_TITLE.match(line):
            paper = (strip_md(m.group(1)), i)
        elif (m := _PAPER_LINK.match(line)) and paper is not None:
            label, url = m.group(1), m.group(2)
            explainer = label in ("解读", "video")
            name = f"{paper[0]}（解读）" if explainer else paper[0]
            out.append(
                CatalogEntry(
                    url=url,
                    name=name,
                    type="论文解读" if explainer else "论文",
                    contexts=[ctx("explainer" if explainer else "paper", f"{paper[0]} — {label}")],
                )
            )
            i += 1
            continue
        elif (
            line.strip() and not line.startswith((" ", "\t", "-", "*")) and not re.match(r"^\s*\d+[.)]", line)
        ):
            paper = None
        out.extend(_inline_entries(line, ctx))
        i += 1
    return out


@dataclass(frozen=True)
class _Place:
    """Where a link stands: its document, the heading path above it (hence stage and skill) and its line."""

    doc: str
    headings: list[str]
    index: int  # 0-based line in the text
    offset: int  # lines before the text (front matter)

    def context(self, kind: str, sentence: str, at: int | None = None) -> Context:
        stage, skill = _position(self.headings)
        line = (self.index if at is None else at) + 1 + self.offset
        return Context(
            doc=self.doc,
            headings=self.headings,
            line=line,
            sentence=strip_md(sentence)[:240],
            kind=kind,
            stage=stage,
            skill=skill,
        )


def _inline_entries(line: str, ctx: Callable[..., Context]) -> list[CatalogEntry]:
    """Markdown links and bare URLs of one line, named by their text or what surrounds them."""
    out = []
    for link in extract_links(line):
        name = link.text or strip_md(line.replace(link.url, "")).strip(" -*:：") or _name_from_url(link.url)
        out.append(
            CatalogEntry(
                url=link.url, name=name[:120], contexts=[ctx("inline" if link.text else "bare", line)]
            )
        )
    return out


def _table_entries(lines: list[str], start: int, end: int, ctx: Callable[..., Context]) -> list[CatalogEntry]:
    """Links of the `|`-rows lines[start:end]: table facts for a real table, plain links otherwise."""
    block = lines[start:end]
    out: list[CatalogEntry] = []
    header, body = split_table(block)
    is_table = len(block) > 1 and set(block[1].strip().strip("|").replace("|", "").strip()) <= set("-: ")
    if not body or not is_table:  # rows without a |---| separator are not a table: still read their links
        for n in range(start, end):
            for link in extract_links(lines[n]):
                name = (
                    link.text
                    or strip_md(lines[n].strip().strip("|").split("|")[0])
                    or _name_from_url(link.url)
                )
                out.append(
                    CatalogEntry(
                        url=link.url,
                        name=name[:120],
                        contexts=[ctx("inline" if link.text else "bare", lines[n], n)],
                    )
                )
        return out
    body_lines = [
        n
        for n in range(start + 1, end)
        if not set(lines[n].strip().strip("|").replace("|", "")) <= set("-: ")
    ]
    for row, n in zip(body, body_lines, strict=False):
        fields = row_fields(header, row)
        links = [lk.url for lk in extract_links(lines[n])]
        url = (
            fields["link"]
            if fields and fields["link"] and fields["link"].startswith("http")
            else (links[0] if links else None)
        )
        if not url:
            continue
        name = fields["name"] if fields else strip_md(row[0])
        out.append(
            CatalogEntry(
                url=url,
                name=name,
                type=fields.get("type") if fields else None,
                lang=fields.get("lang") if fields else None,
                stars=fields.get("stars") if fields else None,
                contexts=[ctx("table", " | ".join(c for c in row if c), n)],
            )
        )
    return out


def merge_entries(entries: list[CatalogEntry]) -> dict[str, CatalogEntry]:
    """One entry per normalised URL; table facts win over link text, contexts accumulate."""
    merged: dict[str, CatalogEntry] = {}
    for e in entries:
        key = normalize_url(e.url)
        if not key.startswith(("http://", "https://")):
            continue
        have = merged.get(key)
        if have is None:
            merged[key] = CatalogEntry(
                url=key, name=e.name, type=e.type, lang=e.lang, stars=e.stars, contexts=list(e.contexts)
            )
            continue
        if e.contexts and e.contexts[0].kind == "table" and not any(c.kind == "table" for c in have.contexts):
            have.name = e.name
        have.type = have.type or e.type
        have.lang = have.lang or e.lang
        have.stars = have.stars or e.stars
        have.contexts.extend(e.contexts)
    return merged
