"""The resource catalog on disk: `<data_dir>/catalog.sqlite` (resources, their contexts, fetch state).

Updated per document (contexts of a changed document are replaced; unchanged documents are
skipped by revision), and fetch state (status, ETag, Last-Modified, dates) survives re-ingests.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tutor import sqlite
from tutor.errors import IndexStoreError
from tutor.resources.catalog import CatalogEntry
from tutor.timeutil import utc_now

__all__ = ["CatalogStore", "ResourceRecord"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS docs (doc TEXT PRIMARY KEY, rev TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS resources (
    url TEXT PRIMARY KEY, name TEXT NOT NULL, type TEXT, lang TEXT, stars INTEGER,
    first_seen TEXT NOT NULL,
    last_fetched TEXT, last_checked TEXT, status TEXT, detail TEXT, http_status INTEGER, final_url TEXT,
    etag TEXT, last_modified TEXT, content_hash TEXT, page_doc TEXT
);
CREATE TABLE IF NOT EXISTS contexts (
    url TEXT NOT NULL, doc TEXT NOT NULL, headings TEXT NOT NULL, line INTEGER NOT NULL,
    sentence TEXT NOT NULL, kind TEXT NOT NULL, stage INTEGER, skill INTEGER
);
CREATE INDEX IF NOT EXISTS contexts_by_url ON contexts(url);
CREATE INDEX IF NOT EXISTS contexts_by_doc ON contexts(doc);
"""


class ResourceRecord(dict):  # a plain dict with attribute access, easy to print as JSON
    __getattr__ = dict.get


class CatalogStore:
    def __init__(self, path: Path) -> None:
        self.path = path
        sqlite.create(path, "the resource catalog", IndexStoreError)
        with self._conn() as conn:
            conn.executescript(_SCHEMA)

    @contextmanager
    def _conn(self) -> Iterator[sqlite3.Connection]:
        with sqlite.connect(self.path, "the resource catalog", IndexStoreError) as conn, conn:
            yield conn

    def doc_revs(self) -> dict[str, str]:
        with self._conn() as conn:
            return dict(conn.execute("SELECT doc, rev FROM docs").fetchall())

    def replace_doc(self, doc: str, rev: str, entries: dict[str, CatalogEntry]) -> None:
        """Swap one document's contexts in one transaction; resources gain or keep their facts."""
        now = utc_now()
        with self._conn() as conn:
            conn.execute("DELETE FROM contexts WHERE doc=?", (doc,))
            for url, e in entries.items():
                conn.execute(
                    "INSERT INTO resources (url, name, type, lang, stars, first_seen) VALUES (?, ?, ?, ?, ?, ?) "
                    "ON CONFLICT(url) DO UPDATE SET name=excluded.name, type=COALESCE(excluded.type, type), "
                    "lang=COALESCE(excluded.lang, lang), stars=COALESCE(excluded.stars, stars)",
                    (url, e.name, e.type, e.lang, e.stars, now),
                )
                conn.executemany(
                    "INSERT INTO contexts (url, doc, headings, line, sentence, kind, stage, skill) VALUES (?,?,?,?,?,?,?,?)",
                    [
                        (
                            url,
                            c.doc,
                            json.dumps(c.headings, ensure_ascii=False),
                            c.line,
                            c.sentence,
                            c.kind,
                            c.stage,
                            c.skill,
                        )
                        for c in e.contexts
                    ],
                )
            conn.execute(
                "INSERT INTO docs (doc, rev) VALUES (?, ?) ON CONFLICT(doc) DO UPDATE SET rev=excluded.rev",
                (doc, rev),
            )
            self._prune(conn)

    def remove_doc(self, doc: str) -> None:
        with self._conn() as conn:
            conn.execute("DELETE FROM contexts WHERE doc=?", (doc,))
            conn.execute("DELETE FROM docs WHERE doc=?", (doc,))
            self._prune(conn)

    @staticmethod
    def _prune(conn: sqlite3.Connection) -> None:
        conn.execute("DELETE FROM resources WHERE url NOT IN (SELECT DISTINCT url FROM contexts)")

    def resources(
        self,
        skill: int | None = None,
        lang: str | None = None,
        kind: str | None = None,
        stage: int | None = None,
    ) -> list[ResourceRecord]:
        with self._conn() as conn:
            conn.row_factory = sqlite3.Row
            rows = [dict(r) for r in conn.execute("SELECT * FROM resources ORDER BY rowid")]
            contexts: dict[str, list[dict[str, Any]]] = {}
            for c in conn.execute("SELECT * FROM contexts ORDER BY doc, line"):
                d = dict(c)
                d["headings"] = json.loads(d["headings"])
                contexts.setdefault(d.pop("url"), []).append(d)
        out = []
        for row in rows:
            row["contexts"] = contexts.get(row["url"], [])
            skills = {c["skill"] for c in row["contexts"] if c["skill"] is not None}
            stages = {c["stage"] for c in row["contexts"] if c["stage"] is not None}
            if skill is not None and skill not in skills:
                continue
            if stage is not None and stage not in stages:
                continue
            if lang and lang.lower() not in (row["lang"] or "").lower():
                continue
            if kind and kind.lower() not in (row["type"] or "").lower():
                continue
            out.append(ResourceRecord(row))
        return out

    def get(self, url: str) -> ResourceRecord | None:
        with self._conn() as conn:
            conn.row_factory = sqlite3.Row
            row = conn.execute("SELECT * FROM resources WHERE url=?", (url,)).fetchone()
        return ResourceRecord(dict(row)) if row else None

    def record_fetch(self, url: str, **fields: Any) -> None:
        """Store the outcome of a fetch or check (status, detail, http_status, etag, ...)."""
        allowed = {
            "last_fetched",
            "last_checked",
            "status",
            "detail",
            "http_status",
            "final_url",
            "etag",
            "last_modified",
            "content_hash",
            "page_doc",
        }
        sets = {k: v for k, v in fields.items() if k in allowed}
        if not sets:
            return
        with self._conn() as conn:
            conn.execute(
                f"UPDATE resources SET {', '.join(f'{k}=?' for k in sets)} WHERE url=?", (*sets.values(), url)
            )
