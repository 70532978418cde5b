"""The chunk texts and metadata beside the BM25 index: on disk, read by row, plus filter columns.

A BM25 query needs the text and metadata of its k results only, and its filters need a
document and a stage per chunk; keeping every chunk's 1.8 KB of text and metadata in memory
(1.8 GB at a million chunks) and walking it per query is what issue 17 measured at 1.2 s.
So the records are one JSON line per chunk with a row -> byte offset table, read with `pread`,
and the filterable metadata is kept as categorical columns (codes + distinct values) from which
a filter becomes a numpy mask.
"""

from __future__ import annotations

import json
import os
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tutor.index.store import StoredChunk

__all__ = ["FORMAT", "ChunkRecords", "Column", "filter_mask"]

FORMAT = 2  # chunks.json layout: 1 kept texts and metadata inline, 2 keeps them in records.jsonl
COLUMN_KEYS = ("doc", "stage")  # the metadata the retrievers filter on; others are built on first use


@dataclass
class Column:
    """One metadata key, categorical: `codes[row]` indexes `values` (None when the key is missing)."""

    codes: Any  # numpy int32 array
    values: list[Any]

    @classmethod
    def of(cls, raw: Sequence[Any]) -> Column:
        import numpy as np

        lookup: dict[Any, int] = {}
        codes = np.fromiter((lookup.setdefault(_hashable(v), len(lookup)) for v in raw), np.int32, len(raw))
        return cls(codes, list(lookup))

    def equals(self, wanted: Any) -> Any:
        """Boolean array: rows whose value == wanted (Python equality, as Chroma's `$eq`)."""
        import numpy as np

        hits = [code for code, value in enumerate(self.values) if value == wanted]
        return np.isin(self.codes, hits) if hits else np.zeros(len(self.codes), dtype=bool)


def _hashable(value: Any) -> Any:
    return json.dumps(value, sort_keys=True) if isinstance(value, (dict, list)) else value


def filter_mask(
    columns: dict[str, Column], where: dict[str, Any], n: int, metadata: Callable[[], list[dict[str, Any]]]
) -> Any:
    """float32 0/1 per row for a Chroma-style `where` ({key: value} or {key: {"$ne": value}}, all ANDed).

    A key without a column gets one built from `metadata()` once (then cached in `columns`)."""
    import numpy as np

    mask = np.ones(n, dtype=bool)
    for key, wanted in where.items():
        if key not in columns:
            columns[key] = Column.of([m.get(key) for m in metadata()])
        column = columns[key]
        if isinstance(wanted, dict) and set(wanted) == {"$ne"}:
            mask &= ~column.equals(wanted["$ne"])
        else:
            mask &= column.equals(wanted)
    return mask.astype(np.float32)


class ChunkRecords:
    """Texts and metadata by row: in memory right after a build, on disk (`pread`) once saved."""

    def __init__(
        self,
        columns: dict[str, Column],
        rows: list[tuple[str, dict[str, Any]]] | None = None,
        directory: Path | None = None,
    ) -> None:
        self._columns = columns
        self._rows = rows
        self._fd: int | None = None
        self._offsets: Any = None
        if directory is not None:
            import numpy as np

            # open now, not lazily: a later swap of the directory must not mix two indexes
            self._offsets = np.load(directory / "offsets.npy")
            self._fd = os.open(directory / "records.jsonl", os.O_RDONLY)
            weakref.finalize(self, os.close, self._fd)

    @classmethod
    def in_memory(cls, chunks: Sequence[StoredChunk]) -> ChunkRecords:
        columns = {key: Column.of([c.metadata.get(key) for c in chunks]) for key in COLUMN_KEYS}
        return cls(columns, rows=[(c.text, dict(c.metadata)) for c in chunks])

    @classmethod
    def on_disk(cls, directory: Path) -> ChunkRecords:
        import numpy as np

        values = json.loads((directory / "columns.json").read_text(encoding="utf-8"))
        with np.load(directory / "columns.npz") as codes:
            columns = {key: Column(codes[key], vals) for key, vals in values.items()}
        return cls(columns, directory=directory)

    def __len__(self) -> int:
        return len(self._rows) if self._rows is not None else len(self._offsets) - 1

    def columns(self) -> dict[str, Column]:
        return self._columns

    def save(self, directory: Path) -> None:
        """records.jsonl (one `[text, metadata]` line per row), offsets.npy, columns.npz/.json."""
        import numpy as np

        offsets = [0]
        with (directory / "records.jsonl").open("wb") as fh:
            for text, meta in self.fetch(range(len(self))):
                line = json.dumps([text, meta], ensure_ascii=False).encode("utf-8") + b"\n"
                fh.write(line)
                offsets.append(offsets[-1] + len(line))
        np.save(directory / "offsets.npy", np.asarray(offsets, dtype=np.int64))
        kept = {key: col for key, col in self._columns.items() if key in COLUMN_KEYS}
        np.savez(directory / "columns.npz", **{key: col.codes for key, col in kept.items()})
        (directory / "columns.json").write_text(
            json.dumps({key: col.values for key, col in kept.items()}, ensure_ascii=False), encoding="utf-8"
        )

    def fetch(self, rows: Sequence[int] | range) -> list[tuple[str, dict[str, Any]]]:
        """(text, metadata) of the given rows; the metadata dicts are the caller's to change."""
        if self._rows is not None:
            return [(self._rows[i][0], dict(self._rows[i][1])) for i in rows]
        assert self._fd is not None
        out = []
        for i in rows:
            start, end = int(self._offsets[i]), int(self._offsets[i + 1])
            text, meta = json.loads(os.pread(self._fd, end - start, start))
            out.append((str(text), dict(meta)))
        return out

    def texts(self) -> list[str]:
        """Every text (reads them all: for one-off builds such as the document router, not per query)."""
        return [text for text, _ in self.fetch(range(len(self)))]

    def metadata(self) -> list[dict[str, Any]]:
        """Every chunk's metadata (reads them all, like `texts`)."""
        return [meta for _, meta in self.fetch(range(len(self)))]
