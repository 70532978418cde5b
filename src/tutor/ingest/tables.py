"""Markdown resource tables (name | type | language | stars | link), read the same way everywhere.

The curriculum parser and the resource catalog both call `row_fields`, so a row means
the same thing to the planner and to the catalog.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["COLUMN_ROLES", "column_role", "count_stars", "cell_link", "strip_md", "split_table", "row_fields"]

COLUMN_ROLES: dict[str, tuple[str, ...]] = {
    "name": ("资源", "名称", "书名", "平台", "社区", "资源名", "name", "resource"),
    "type": ("类型", "用途", "type"),
    "lang": ("语言", "language"),
    "stars": ("质量", "推荐度", "星级", "stars", "rating"),
    "link": ("链接", "地址", "网址", "link", "url"),
}


def column_role(header: str) -> str | None:
    lowered = header.lower()
    for role, names in COLUMN_ROLES.items():
        if any(n in lowered for n in names):
            return role
    return None


def count_stars(text: str) -> int | None:
    return text.count("⭐") or None


def cell_link(text: str) -> str | None:
    text = text.strip()
    if not text or text in ("-", "—", "无"):
        return None
    m = re.search(r"https?://\S+?(?=[)\s|]|$)", text)
    return m.group(0) if m else text


def strip_md(text: str) -> str:
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    return text.replace("**", "").replace("`", "").strip()


def split_table(lines: list[str]) -> tuple[list[str], list[list[str]]]:
    """Header cells and body rows (the |---| separator dropped) of one Markdown table."""
    cells = [
        [c.strip() for c in line.strip().strip("|").split("|")]
        for line in lines
        if line.strip().startswith("|")
    ]
    if len(cells) < 2:
        return [], []
    header, body = cells[0], [r for r in cells[1:] if not all(set(c) <= set("-: ") for c in r)]
    return header, body


def row_fields(header: list[str], row: list[str]) -> dict[str, Any] | None:
    """name/type/lang/stars/link (+ the other columns as extra) of a row with a name, else None."""
    roles = [column_role(h) for h in header]
    values: dict[str, str] = {}
    extra: dict[str, str] = {}
    for h, role, cell in zip(header, roles, row, strict=False):
        if role and role not in values:
            values[role] = cell
        else:
            extra[h] = cell
    if not values.get("name"):
        return None
    link = cell_link(values.get("link", ""))
    if link is None:  # a link in another column (e.g. the name is a Markdown link)
        m = re.search(r"https?://[^)\s|]+", " ".join(row))
        link = m.group(0) if m else None
    return {
        "name": strip_md(values["name"]),
        "type": values.get("type") or None,
        "lang": values.get("lang") or None,
        "stars": count_stars(values.get("stars", "")),
        "link": link,
        "extra": extra,
    }
