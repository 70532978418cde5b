"""Copying the whole state between databases (SQLite <-> PostgreSQL) through one JSONL file.

The first line is a header (format, version, the schema revision of each store); every other line
is `{"table": NAME, "row": {...}}`, tables in foreign-key order and rows in key order, so a file
reads back identically into either database. Import refuses a non-empty target unless told to
replace it, and moves PostgreSQL's id sequences past the imported ids.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy import Connection, Table, delete, func, literal_column, select, text

from tutor.errors import InputError
from tutor.state.db import Database
from tutor.state.migrate import AREAS, current_revision
from tutor.state.schema import CATALOG, LEARNERS

__all__ = ["FORMAT", "export_state", "import_state"]

log = logging.getLogger(__name__)

FORMAT = "tutor-state"
VERSION = 1
_BATCH = 500
_METADATA = {"learners": LEARNERS, "catalog": CATALOG}


def _tables(store: str) -> list[Table]:
    return list(_METADATA[store].sorted_tables)  # parents before children


def _rows(db: Database, conn: Connection, table: Table) -> Iterator[dict[str, Any]]:
    """Rows in insertion order on SQLite (the catalog's display order), in key order on a server."""
    keys = list(table.primary_key.columns)
    order: list[Any] = [literal_column("rowid")] if db.is_sqlite else keys or list(table.columns)
    for row in conn.execute(select(table).order_by(*order)):
        yield dict(row._mapping)


def export_state(dbs: Mapping[str, Database], path: Path) -> dict[str, int]:
    """Write every store in `dbs` to `path` (JSONL); returns rows written per table."""
    counts: dict[str, int] = {}
    header = {
        "format": FORMAT,
        "version": VERSION,
        "revisions": {s: current_revision(db, AREAS[s]) for s, db in dbs.items()},
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    with tmp.open("w", encoding="utf-8") as f:
        f.write(json.dumps(header) + "\n")
        for store, db in dbs.items():
            with db.read() as conn:
                for table in _tables(store):
                    counts[table.name] = 0
                    for row in _rows(db, conn, table):
                        f.write(json.dumps({"table": table.name, "row": row}, ensure_ascii=False) + "\n")
                        counts[table.name] += 1
    tmp.replace(path)
    log.info("exported %s to %s", counts, path)
    return counts


def _read(path: Path, f: TextIO) -> Iterator[tuple[int, str, dict[str, Any]]]:
    for n, line in enumerate(f, 2):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            yield n, str(item["table"]), dict(item["row"])
        except (ValueError, KeyError, TypeError) as exc:
            raise InputError(
                path, f"line {n} is not a state row ({exc}); was it written by `tutor state export`?"
            ) from exc


def _check_header(path: Path, f: TextIO) -> None:
    try:
        header = json.loads(f.readline() or "{}")
    except ValueError:
        header = {}
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise InputError(
            path, "not a `tutor state export` file (its first line is not the tutor-state header)"
        )
    if header.get("version", 0) > VERSION:
        raise InputError(path, f"written by a newer tutor (format v{header['version']}); upgrade tutor")


def _prepare(dbs: Mapping[str, Database], replace: bool) -> None:
    """The target must be empty, or emptied when `replace` (children first)."""
    for store, db in dbs.items():
        with db.write() as conn:
            for table in reversed(_tables(store)):
                if replace:
                    conn.execute(delete(table))
                elif conn.execute(select(func.count()).select_from(table)).scalar_one():
                    raise InputError(
                        db.shown_url,
                        f"table {table.name} is not empty; import into a new database or pass --replace",
                    )


def import_state(dbs: Mapping[str, Database], path: Path, replace: bool = False) -> dict[str, int]:
    """Load a `tutor state export` file into `dbs` (already migrated); returns rows per table."""
    if not path.is_file():
        raise InputError(path, "no such file; write one with `tutor state export FILE`")
    owner = {t.name: (store, t) for store in dbs for t in _tables(store)}
    _prepare(dbs, replace)
    counts: dict[str, int] = {}
    batch: list[dict[str, Any]] = []
    current: str | None = None
    with path.open(encoding="utf-8") as f:
        _check_header(path, f)
        for n, name, row in _read(path, f):
            if name not in owner:
                raise InputError(path, f"line {n}: table '{name}' is not one of {sorted(owner)}")
            if name != current or len(batch) >= _BATCH:
                _flush(dbs, owner, current, batch)
                batch, current = [], name
            batch.append(row)
            counts[name] = counts.get(name, 0) + 1
        _flush(dbs, owner, current, batch)
    for store, db in dbs.items():
        _bump_sequences(db, _tables(store))
    log.info("imported %s from %s", counts, path)
    return counts


def _flush(
    dbs: Mapping[str, Database],
    owner: dict[str, tuple[str, Table]],
    name: str | None,
    rows: list[dict[str, Any]],
) -> None:
    if name is None or not rows:
        return
    store, table = owner[name]
    with dbs[store].write() as conn:
        conn.execute(table.insert(), rows)


def _bump_sequences(db: Database, tables: list[Table]) -> None:
    """PostgreSQL hands out ids from a sequence that explicit ids do not move; move it past them."""
    if db.is_sqlite:
        return
    with db.write() as conn:
        for table in tables:
            if "id" in table.c and table.c.id.autoincrement is True:
                conn.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                        f"COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) FROM {table.name}"
                    )
                )
