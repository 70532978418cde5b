-- learners.sqlite as written by main's hand-written SQLite code (commit 9202141, before SQLAlchemy):
-- tests/integration/test_state_migrations.py loads it with sqlite3 and opens it with the new stores.
PRAGMA user_version=3;
BEGIN TRANSACTION;
CREATE TABLE feedback (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        learner_id TEXT NOT NULL,
        rating INTEGER NOT NULL CHECK (rating IN (-1, 1)),
        question TEXT NOT NULL,
        answer TEXT NOT NULL,
        sources TEXT NOT NULL,
        meta TEXT,
        created_at TEXT NOT NULL
    );
INSERT INTO "feedback" VALUES(1,'amy',1,'什么是 RAG？','检索增强生成 [1]','[{"doc": "roadmap", "lines": [1, 3]}]','{}','2026-11-26T03:27:00+00:00');
CREATE TABLE learners (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        hours_per_day REAL NOT NULL DEFAULT 2,
        goal TEXT,
        language TEXT NOT NULL DEFAULT 'zh',
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
INSERT INTO "learners" VALUES('amy','Amy',3.0,'做 RAG 应用','zh','2026-11-26T03:27:00+00:00','2026-11-26T03:27:00+00:00');
INSERT INTO "learners" VALUES('bob','Bob',2.0,NULL,'en','2026-11-26T03:27:00+00:00','2026-11-26T03:27:00+00:00');
CREATE TABLE messages (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        learner_id TEXT NOT NULL REFERENCES learners(id) ON DELETE CASCADE,
        role TEXT NOT NULL CHECK (role IN ('user', 'assistant')),
        content TEXT NOT NULL,
        meta TEXT,
        created_at TEXT NOT NULL
    );
INSERT INTO "messages" VALUES(1,'amy','user','什么是 RAG？',NULL,'2026-11-26T03:27:00+00:00');
INSERT INTO "messages" VALUES(2,'amy','assistant','检索增强生成 [1]','{"sources": [{"doc": "roadmap"}]}','2026-11-26T03:27:00+00:00');
CREATE TABLE quiz_results (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        learner_id TEXT NOT NULL REFERENCES learners(id) ON DELETE CASCADE,
        skill INTEGER NOT NULL,
        score REAL NOT NULL,
        passed INTEGER NOT NULL,
        criteria_met INTEGER NOT NULL,
        detail TEXT NOT NULL,
        taken_at TEXT NOT NULL
    );
INSERT INTO "quiz_results" VALUES(1,'amy',1,1.0,1,1,'{"wrong": [], "unmet": []}','2026-11-26T03:27:00+00:00');
CREATE TABLE skill_status (
        learner_id TEXT NOT NULL REFERENCES learners(id) ON DELETE CASCADE,
        skill INTEGER NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('done', 'in_progress')),
        updated_at TEXT NOT NULL,
        PRIMARY KEY (learner_id, skill)
    );
INSERT INTO "skill_status" VALUES('amy',1,'done','2026-11-26T03:27:00+00:00');
INSERT INTO "skill_status" VALUES('amy',2,'done','2026-11-26T03:27:00+00:00');
INSERT INTO "skill_status" VALUES('amy',4,'in_progress','2026-11-26T03:27:00+00:00');
CREATE INDEX messages_by_learner ON messages(learner_id, id);
CREATE INDEX quiz_by_learner ON quiz_results(learner_id, skill, id);
DELETE FROM "sqlite_sequence";
INSERT INTO "sqlite_sequence" VALUES('messages',2);
INSERT INTO "sqlite_sequence" VALUES('feedback',1);
INSERT INTO "sqlite_sequence" VALUES('quiz_results',1);
COMMIT;
