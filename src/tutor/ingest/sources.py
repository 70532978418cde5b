"""Which folders and files the index is made of: the configured `corpus.paths` plus every path
given to `tutor ingest PATH`.

The rule (README "Ingest semantics"): an ingest of a path adds or updates that path (a file
deleted from it leaves the index); it never touches documents of other sources.  `tutor ingest`
with no path refreshes every registered source; `--rebuild` rebuilds all of them; removal of a
whole source is explicit: `tutor remove PATH`, or `tutor ingest --prune` for documents whose
source is gone.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterable
from pathlib import Path

__all__ = ["SourceRegistry"]

log = logging.getLogger(__name__)


class SourceRegistry:
    """`<data_dir>/sources.json`: the paths given to `tutor ingest`, resolved, in order."""

    def __init__(self, data_dir: Path, configured: Iterable[Path] = ()) -> None:
        self.path = data_dir / "sources.json"
        self.configured = [Path(p).resolve() for p in configured]

    def registered(self) -> list[Path]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return []
        return [Path(p) for p in data.get("sources", []) if isinstance(p, str)]

    def all(self) -> list[Path]:
        """Configured paths first, then registered ones; each once."""
        return list(dict.fromkeys([*self.configured, *self.registered()]))

    def _save(self, paths: list[Path]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(
            json.dumps({"sources": [str(p) for p in paths]}, ensure_ascii=False, indent=1), encoding="utf-8"
        )
        tmp.replace(self.path)

    def add(self, paths: Iterable[Path]) -> None:
        current = self.registered()
        new = [p for p in (Path(x).resolve() for x in paths) if p not in current and p not in self.configured]
        if new:
            self._save([*current, *new])
            log.info("Registered source(s): %s", ", ".join(map(str, new)))

    def remove(self, path: Path) -> bool:
        """Unregister `path`; False when it was not registered."""
        target = Path(path).resolve()
        current = self.registered()
        if target not in current:
            return False
        self._save([p for p in current if p != target])
        return True

    def covers(self, source: str) -> bool:
        """Is this document path under some registered or configured source?"""
        p = Path(source)
        return any(p == root or root in p.parents for root in self.all())
