-- catalog.sqlite as written by main's hand-written SQLite code (commit 9202141, before SQLAlchemy):
-- tests/integration/test_state_migrations.py loads it with sqlite3 and opens it with the new stores.
PRAGMA user_version=0;
BEGIN TRANSACTION;
CREATE TABLE contexts (
    url TEXT NOT NULL, doc TEXT NOT NULL, headings TEXT NOT NULL, line INTEGER NOT NULL,
    sentence TEXT NOT NULL, kind TEXT NOT NULL, stage INTEGER, skill INTEGER
);
INSERT INTO "contexts" VALUES('https://example.org/b','roadmap','["阶段一", "技能点 1"]',12,'学 B','table',1,1);
INSERT INTO "contexts" VALUES('https://example.org/a','roadmap','["阶段二"]',40,'读 A','paper',2,NULL);
CREATE TABLE docs (doc TEXT PRIMARY KEY, rev TEXT NOT NULL);
INSERT INTO "docs" VALUES('roadmap','rev1');
CREATE TABLE resources (
    url TEXT PRIMARY KEY, name TEXT NOT NULL, type TEXT, lang TEXT, stars INTEGER,
    first_seen TEXT NOT NULL,
    last_fetched TEXT, last_checked TEXT, status TEXT, detail TEXT, http_status INTEGER, final_url TEXT,
    etag TEXT, last_modified TEXT, content_hash TEXT, page_doc TEXT
);
INSERT INTO "resources" VALUES('https://example.org/b','B course','课程','英文',120,'2026-11-26T03:27:05+00:00','2026-01-01T00:00:00+00:00',NULL,'ok',NULL,200,NULL,'"x1"',NULL,NULL,NULL);
INSERT INTO "resources" VALUES('https://example.org/a','A paper','论文',NULL,NULL,'2026-11-26T03:27:05+00:00',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL);
CREATE INDEX contexts_by_url ON contexts(url);
CREATE INDEX contexts_by_doc ON contexts(doc);
COMMIT;
