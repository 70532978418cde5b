"""A one-line summary of a document, for contextual chunk text and document routing.

Without a language model the lead of the document is the best summary it has: the
first sentence of each of its first paragraphs (a blockquote tagline, the opening
of "背景介绍"), skipping headings, tables, lists, code and the table of contents.
An operator can write one instead as front matter (`summary:`).
"""

from __future__ import annotations

import re

__all__ = ["lead_summary"]

_SKIP = re.compile(r"^\s*(#|\||```|~~~|[-*+]\s|\d+\.\s|---|!\[|<)")
_SENTENCE = re.compile(r"^(.+?[。！？!?；;]|.+?\.(?=\s|$))")


def lead_summary(text: str, front_matter: dict | None = None, max_chars: int = 120, paragraphs: int = 2) -> str:
    """The front matter's `summary`, else the first sentence of each of the first `paragraphs` paragraphs."""
    if front_matter and isinstance(front_matter.get("summary"), str) and front_matter["summary"].strip():
        return " ".join(front_matter["summary"].split())[:max_chars]
    sentences: list[str] = []
    in_fence = False
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith(("```", "~~~")):
            in_fence = not in_fence
            continue
        if in_fence or not line or _SKIP.match(line):
            continue
        line = line.lstrip("> ").strip()
        if len(line) < 6:
            continue
        m = _SENTENCE.match(line)
        sentences.append((m.group(1) if m else line).strip())
        if len(sentences) >= paragraphs:
            break
    return " ".join(sentences)[:max_chars]
