"""The one timestamp format everything the tutor stores uses (SQLite rows, manifests, fetched pages)."""

from __future__ import annotations

from datetime import UTC, datetime

__all__ = ["utc_now"]


def utc_now() -> str:
    """Now, in UTC, as ISO 8601 to the second: sortable as text."""
    return datetime.now(UTC).isoformat(timespec="seconds")
