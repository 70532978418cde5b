"""`corpus.yaml`: optional per-document facts (title, author, source, licence, summary) beside the files.

A document's own metadata wins; the file fills the gaps, so a document without a title no longer
shows as its file slug, and the credits panel can name every author and source it knows.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from tutor.errors import InputError

__all__ = ["CORPUS_META", "DocMeta", "credits", "load_corpus_meta"]

CORPUS_META = "corpus.yaml"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DocMeta:
    file: str
    title: str | None = None
    author: str | None = None
    source: str | None = None
    licence: str | None = None
    summary: str | None = None


def _text(value: Any) -> str | None:
    return str(value).strip() or None if value is not None else None


def load_corpus_meta(directory: Path) -> dict[str, DocMeta]:
    """The entries of `directory/corpus.yaml` by file name; {} when there is none.  A broken file is an
    InputError naming it, so the ingest reports it for each document beside it and goes on."""
    path = directory / CORPUS_META
    if not path.is_file():
        return {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise InputError(path, f"cannot read ({exc}); fix the YAML or remove the file") from exc
    if not isinstance(data, dict):
        raise InputError(path, "expected a mapping of file name -> {title, author, ...}")
    out = {}
    for name, entry in data.items():
        if not isinstance(entry, dict):
            raise InputError(path, f"entry '{name}' must be a mapping (title, author, source, ...)")
        fields = {k: _text(entry.get(k)) for k in ("title", "author", "source", "licence", "summary")}
        out[str(name)] = DocMeta(file=str(name), **fields)
    return out


def credits(roots: list[Path]) -> list[DocMeta]:
    """What the UI credits: every corpus.yaml entry under the corpus roots (a file's own directory)."""
    seen: list[DocMeta] = []
    for root in roots:
        directory = root if root.is_dir() else root.parent
        try:
            seen += load_corpus_meta(directory).values()
        except InputError as exc:
            log.warning("%s", exc)
    return seen
