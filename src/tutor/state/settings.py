"""Settings of the learner and catalog store (the `state:` section of `tutor.config.Settings`).

Kept beside the store it configures; `tutor.config` re-exports it so there is still one settings model.
"""

from __future__ import annotations

from pydantic import BaseModel, Field, SecretStr

__all__ = ["StateSettings"]


class StateSettings(BaseModel):
    url: SecretStr | None = Field(
        None,
        description=(
            "SQLAlchemy URL of the shared store, e.g. postgresql+psycopg://tutor:PASSWORD@db:5432/tutor "
            "(every replica uses the same one). None = SQLite files in the data dir "
            "(learners.sqlite, catalog.sqlite), the embedded default."
        ),
    )
    pool_size: int = Field(
        5, ge=1, le=100, description="Connections kept open per process (server databases)."
    )
    connect_timeout_s: int = Field(
        10, ge=1, le=300, description="Give up reaching a database server after this many seconds."
    )
    auto_migrate: bool = Field(
        True,
        description=(
            "Bring the schema up to date when the store is opened. Turn off on replicas of a shared "
            "database and run `tutor state migrate` once per release instead."
        ),
    )
