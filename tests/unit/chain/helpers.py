"""Passages as the retriever returns them, for the chain's unit tests."""

from __future__ import annotations

import json

from tutor.index.store import StoredChunk


def chunk(doc: str, title: str, headings: list[str], start: int, text: str) -> StoredChunk:
    meta = {
        "doc": doc,
        "title": title,
        "headings": json.dumps(headings, ensure_ascii=False),
        "line_start": start,
        "line_end": start + text.count("\n"),
    }
    return StoredChunk(id=f"{doc}:{start}", text=text, metadata=meta)
