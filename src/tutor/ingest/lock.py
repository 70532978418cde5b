"""One writer at a time per data directory (ingest, fetch-resources, remove); readers never wait.

An exclusive `filelock` lock on `<data_dir>/.writer.lock`.  A second writer waits with a message
naming the holder, or fails at once when asked not to wait.  Readers (questions, the UI) take no
lock; they only ask `busy()` so that they serve the index they have instead of rebuilding the
keyword index from a half-written one.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from tutor.errors import WriterLockError

__all__ = ["WriterLock"]

log = logging.getLogger(__name__)


class WriterLock:
    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.path = data_dir / ".writer.lock"
        self.owner = data_dir / ".writer.owner"

    def _holder(self) -> str:
        try:
            return self.owner.read_text(encoding="utf-8").strip() or "another process"
        except OSError:
            return "another process"

    @contextmanager
    def hold(self, wait: bool = True) -> Iterator[None]:
        """Hold the writer lock for the block; wait for it (with a message) or raise WriterLockError."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        lock = FileLock(str(self.path))
        try:
            lock.acquire(timeout=0)
        except Timeout:
            holder = self._holder()
            if not wait:
                raise WriterLockError(
                    f"{self.data_dir} is being written by {holder}; try again when it has "
                    "finished (or leave out --no-wait to wait for it)"
                ) from None
            log.warning("Waiting for %s to finish writing %s ...", holder, self.data_dir)
            lock.acquire()
        try:
            self.owner.write_text(f"pid {os.getpid()}", encoding="utf-8")
            yield
        finally:
            lock.release()

    def busy(self) -> bool:
        """Is a writer (another process or thread) holding the lock right now?"""
        if not self.path.exists():
            return False
        lock = FileLock(str(self.path))
        try:
            lock.acquire(timeout=0)
        except Timeout:
            return True
        lock.release()
        return False
