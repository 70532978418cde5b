"""The tutor's shared state: learners, progress, conversations, feedback and the resource catalog.

SQLAlchemy Core tables (`schema`), one engine per store (`db`), Alembic migrations shipped in the
package (`migrate`), and SQLite <-> PostgreSQL copies (`transfer`). SQLite files in the data dir are
the embedded default; `state.url` puts every replica on one PostgreSQL. Import the submodules
directly: this package imports nothing, so `tutor.config` can use `tutor.state.settings`.
"""
