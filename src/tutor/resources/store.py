"""The resource catalog: resources, their contexts and fetch state, in the catalog database.

`<data_dir>/catalog.sqlite` by default, the shared database with `state.url`. Updated per document
(contexts of a changed document are replaced; unchanged documents are skipped by revision), and
fetch state (status, ETag, Last-Modified, dates) survives re-ingests.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, delete, func, literal_column, select, update

from tutor.errors import IndexStoreError
from tutor.resources.catalog import CatalogEntry
from tutor.state.db import Database, sqlite_url
from tutor.state.migrate import AREAS, upgrade
from tutor.state.schema import contexts, docs, resources
from tutor.timeutil import utc_now

__all__ = ["CatalogStore", "ResourceRecord"]

_FETCH_FIELDS = frozenset(
    {
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
)


class ResourceRecord(dict):  # a plain dict with attribute access, easy to print as JSON
    __getattr__ = dict.get


class CatalogStore:
    def __init__(self, db: Database | Path) -> None:
        if isinstance(db, Path):  # a SQLite file, migrated on open (tests, scripts, older callers)
            db = Database(sqlite_url(db), "the resource catalog", IndexStoreError)
            upgrade(db, AREAS["catalog"])
        self.db = db

    @property
    def path(self) -> Path | None:
        return self.db.sqlite_path

    def doc_revs(self) -> dict[str, str]:
        with self.db.read() as conn:
            return {doc: rev for doc, rev in conn.execute(select(docs.c.doc, docs.c.rev))}

    def version(self) -> tuple[Any, ...]:
        """Changes whenever the set of resources can have changed (a document's contexts replaced or
        removed, by this process or another one on the same store): one small query, so callers can
        cache what they derive from `resources()` instead of reading the whole catalog per request."""
        with self.db.read() as conn:
            revs = tuple(conn.execute(select(docs.c.doc, docs.c.rev).order_by(docs.c.doc)))
            count = conn.execute(select(func.count()).select_from(resources)).scalar()
        return revs, count

    def replace_doc(self, doc: str, rev: str, entries: dict[str, CatalogEntry]) -> None:
        """Swap one document's contexts in one transaction; resources gain or keep their facts."""
        now = utc_now()
        with self.db.write() as conn:
            conn.execute(delete(contexts).where(contexts.c.doc == doc))
            for url, e in entries.items():
                ins = self.db.insert(resources).values(
                    url=url, name=e.name, type=e.type, lang=e.lang, stars=e.stars, first_seen=now
                )
                x = ins.excluded
                keep = {c: func.coalesce(x[c], resources.c[c]) for c in ("type", "lang", "stars")}
                conn.execute(ins.on_conflict_do_update(index_elements=["url"], set_={"name": x.name, **keep}))
                rows = [
                    {
                        "url": url,
                        "doc": c.doc,
                        "headings": json.dumps(c.headings, ensure_ascii=False),
                        "line": c.line,
                        "sentence": c.sentence,
                        "kind": c.kind,
                        "stage": c.stage,
                        "skill": c.skill,
                    }
                    for c in e.contexts
                ]
                if rows:
                    conn.execute(contexts.insert(), rows)
            ins_doc = self.db.insert(docs).values(doc=doc, rev=rev)
            conn.execute(
                ins_doc.on_conflict_do_update(index_elements=["doc"], set_={"rev": ins_doc.excluded.rev})
            )
            self._prune(conn)

    def remove_doc(self, doc: str) -> None:
        with self.db.write() as conn:
            conn.execute(delete(contexts).where(contexts.c.doc == doc))
            conn.execute(delete(docs).where(docs.c.doc == doc))
            self._prune(conn)

    @staticmethod
    def _prune(conn: Connection) -> None:
        conn.execute(delete(resources).where(resources.c.url.not_in(select(contexts.c.url).distinct())))

    def _order(self) -> list[Any]:
        """Insertion order on SQLite (as before); first seen, then URL, on a server (no rowid there)."""
        if self.db.is_sqlite:
            return [literal_column("resources.rowid")]
        return [resources.c.first_seen, resources.c.url]

    def resources(
        self,
        skill: int | None = None,
        lang: str | None = None,
        kind: str | None = None,
        stage: int | None = None,
    ) -> list[ResourceRecord]:
        with self.db.read() as conn:
            rows = [dict(r._mapping) for r in conn.execute(select(resources).order_by(*self._order()))]
            by_url: dict[str, list[dict[str, Any]]] = {}
            for c in conn.execute(select(contexts).order_by(contexts.c.doc, contexts.c.line)):
                d = dict(c._mapping)
                d["headings"] = json.loads(d["headings"])
                by_url.setdefault(d.pop("url"), []).append(d)
        out = []
        for row in rows:
            row["contexts"] = by_url.get(row["url"], [])
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
        with self.db.read() as conn:
            row = conn.execute(select(resources).where(resources.c.url == url)).first()
        return ResourceRecord(dict(row._mapping)) if row else None

    def record_fetch(self, url: str, **fields: Any) -> None:
        """Store the outcome of a fetch or check (status, detail, http_status, etag, ...)."""
        sets = {k: v for k, v in fields.items() if k in _FETCH_FIELDS}
        if not sets:
            return
        with self.db.write() as conn:
            conn.execute(update(resources).where(resources.c.url == url).values(**sets))
