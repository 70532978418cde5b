"""The start-up work behind a serving process (UI or API): check the index for changes, warm the
chain, and say when questions about the material can be answered.  Serving starts at once; only
questions that need the index wait for `ready`."""

from __future__ import annotations

import logging
import threading
import time

from tutor.app import App
from tutor.errors import TutorError

__all__ = ["Startup"]

log = logging.getLogger("tutor.serve")


class Startup:
    """`ready` is set when the start-up ingest finished (or was skipped); `error` says why it failed."""

    def __init__(self, app: App, logger: logging.Logger = log) -> None:
        self.app = app
        self.log = logger
        self.ready = threading.Event()
        self.error: str | None = None

    def start(self, ingest: bool = True) -> None:
        """Run in a daemon thread; without `ingest` only the chain is warmed (replicas of a shared index)."""
        threading.Thread(target=self.run, args=(ingest,), name="tutor-startup", daemon=True).start()

    def run(self, ingest: bool = True) -> None:
        t0 = time.perf_counter()
        health = self.app.llm.health()
        if not health.ok:  # the page and /readyz say "offline"; the why and how to connect go here
            self.log.info(
                "Offline mode: LLM %s not answering (%s); answers quote the material. To connect one: "
                "`tutor serve-llm` on a GPU machine, or TUTOR_LLM__BACKEND=llamacpp",
                self.app.llm.label,
                health.detail,
            )
        try:
            if ingest:
                self.log.info(
                    "Checking the index for changes in %s …",
                    ", ".join(map(str, self.app.settings.corpus.paths)),
                )
                self.app.ingest()
            self.app.tutor  # noqa: B018 - load the router examples before the first question
            manifest = self.app.index.manifest()
            self.log.info(
                "Index ready: %d documents, %d chunks (%.0f s); questions about the material are answered",
                len(manifest.docs),
                manifest.chunk_count,
                time.perf_counter() - t0,
            )
        except TutorError as exc:
            self.error = str(exc)
            self.log.error("Start-up failed: %s", exc)
        except Exception as exc:  # noqa: BLE001 - the server keeps serving; the index it has still answers
            self.error = f"{type(exc).__name__}: {exc}"
            self.log.exception("Start-up failed")
        finally:
            self.ready.set()
        if self.error is None:
            self._warm()

    def _warm(self) -> None:
        """After the index is ready (answers do not wait): one retrieval, so the first learner does not
        pay for opening the BM25 index, the query encoder and the collection; then the answer texts'
        vectors, once, on disk."""
        try:
            self.app.retrieve("warm-up: RAG")
            self.app.warm_answer_vectors()
        except Exception as exc:  # noqa: BLE001 - only an optimisation: answers embed what they miss
            self.log.warning("Warming the answer vectors failed (%s); answers embed what they need", exc)
