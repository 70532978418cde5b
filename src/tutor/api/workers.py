"""`tutor serve --workers N`: N API processes on one port, sharing the index and the learner store.

An answer is mostly Python under one GIL, so one process uses about one core however many requests
it takes at once; on a machine with several cores the API scales by processes.  The parent refreshes
the index once (the start-up ingest), then uvicorn starts N workers on the same socket.  Each worker
builds its own application from the same profile and data directory (embedder, index handles and
caches are per process; the index, the answer vectors on disk and the learner store are shared, and
the state layer takes concurrent writers) and warms its chain without ingesting.

The UI is not served by workers: Gradio's queue keeps a page's session in the process that opened
it, and the requests of one page would land on different workers.  Rate limits count per process
unless `api.rate_limit_storage` points at a shared store (redis://).
"""

from __future__ import annotations

import json
import logging
import os
import sys
from pathlib import Path

from fastapi import FastAPI

from tutor.api.factory import serve_app
from tutor.app import App, build
from tutor.config import load_settings
from tutor.errors import TutorError

__all__ = ["ENV", "run_workers", "worker_app"]

log = logging.getLogger("tutor.serve")

#: how the parent hands the global options to its workers (uvicorn starts them as fresh processes)
ENV = "TUTOR_SERVE_WORKER"


def worker_app() -> FastAPI:
    """The application of one worker (uvicorn's factory): the parent's profile and data directory,
    its log level, no start-up ingest (the parent did it), no UI."""
    raw = os.environ.get(ENV)
    if not raw:
        raise TutorError(f"{ENV} is not set: worker processes are started by `tutor serve --workers N`")
    spec = json.loads(raw)
    logging.basicConfig(
        level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr
    )
    settings = load_settings(spec["profile"], data_dir=spec["data_dir"])
    logging.getLogger("tutor").setLevel(spec["log_level"] or settings.log_level.upper())
    serve_log = logging.getLogger("tutor.serve")  # start-up progress (index ready, offline mode) shows
    serve_log.setLevel(min(serve_log.getEffectiveLevel(), logging.INFO))
    log.info("Worker %d starting", os.getpid())
    return serve_app(build(settings), ingest=False, with_ui=False)


def run_workers(
    app: App,
    profile: str | None,
    data_dir: Path | None,
    log_level: str | None,
    host: str,
    port: int,
    workers: int,
    ingest: bool = True,
) -> None:
    """Refresh the index here once, then serve the API from `workers` processes until stopped."""
    import uvicorn

    if ingest:
        log.info("Checking the index for changes in %s …", ", ".join(map(str, app.settings.corpus.paths)))
        app.ingest()
    spec = {"profile": profile, "data_dir": str(data_dir) if data_dir else None, "log_level": log_level}
    os.environ[ENV] = json.dumps(spec)
    log.info("Starting %d API workers", workers)
    uvicorn.run(
        "tutor.api.workers:worker_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        timeout_graceful_shutdown=10,
    )
