"""Find the links in a piece of Markdown: inline links and bare URLs."""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Link", "extract_links"]

_MD_LINK = re.compile(r"(?<!!)\[([^\]\n]*)\]\(\s*<?(https?://[^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_BARE_URL = re.compile(r"(?<![(<\[\"'=])\bhttps?://[^\s<>()\[\]\"'，。；！？、）]+")
_TRAILING = ".,;:!?'\"*_~"


@dataclass(frozen=True)
class Link:
    url: str
    text: str = ""


def extract_links(markdown: str) -> list[Link]:
    """Links in reading order, each URL once; Markdown link text kept when there is one."""
    found: dict[str, Link] = {}
    spans: list[tuple[int, int, Link]] = []
    for m in _MD_LINK.finditer(markdown):
        spans.append((m.start(), m.end(), Link(m.group(2).strip(), m.group(1).strip())))
    covered = [(s, e) for s, e, _ in spans]
    for m in _BARE_URL.finditer(markdown):
        if any(s <= m.start() < e for s, e in covered):
            continue
        spans.append((m.start(), m.end(), Link(m.group(0).rstrip(_TRAILING))))
    for _, _, link in sorted(spans, key=lambda s: s[0]):
        found.setdefault(link.url, link)
    return list(found.values())
