"""When an ingest rebuilds the keyword index (`ingest.pipeline._sync_bm25`): after a write, when stale, and —
for an index written before the levers' data was stored with it — when that data is missing, so a plain
`tutor ingest` of an unchanged corpus upgrades an older index instead of leaving every start-up to compute it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tutor.index.manifest import DocEntry, Manifest
from tutor.ingest.pipeline import _sync_bm25


class _Index:
    """Records what the pipeline asks of the live index (the real one needs an embedder and a store)."""

    def __init__(self, *, current: bool, missing: list[str]) -> None:
        self.current, self.missing = current, missing
        self.calls: list[str] = []

    def invalidate(self) -> None:
        self.calls.append("invalidate")

    def rebuild_bm25(self) -> None:
        self.calls.append("rebuild")

    def bm25_is_current(self) -> bool:
        return self.current

    def levers_missing(self) -> list[str]:
        return self.missing


def _manifest(tmp_path: Path, docs: int) -> Manifest:
    entries = {f"d{i}": DocEntry(f"d{i}", "r1", f"d{i}.md", f"D{i}", [f"c{i}"]) for i in range(docs)}
    return Manifest(path=tmp_path / "manifest.json", model_id="m", docs=entries)


@pytest.mark.parametrize(
    ("changed", "current", "missing", "docs", "rebuilt"),
    [
        (True, True, [], 1, True),  # a write always rebuilds
        (False, False, [], 1, True),  # stale keyword index
        (False, True, ["sections", "items"], 1, True),  # an older index without the levers' data
        (False, True, [], 1, False),  # nothing to do
        (False, True, ["sections"], 0, False),  # an empty index has nothing to store
    ],
)
def test_sync_bm25_rebuilds_exactly_when_needed(
    tmp_path: Path, changed: bool, current: bool, missing: list[str], docs: int, rebuilt: bool
) -> None:
    index = _Index(current=current, missing=missing)
    _sync_bm25(index, _manifest(tmp_path, docs), changed)
    assert index.calls[0] == "invalidate"
    assert ("rebuild" in index.calls) is rebuilt
    assert index.calls.count("rebuild") <= 1
