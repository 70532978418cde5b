"""Ask the resident `tutor serve` first, in-process otherwise: the one place that decides and says which.

With `-v` one log line names the path that answered.  A server that stops answering mid-request is
not an error: a warning says so and the command answers in-process, so nothing is lost.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from tutor.cli._state import err_console, state

if TYPE_CHECKING:
    from tutor.api.client import TutorClient

__all__ = ["via_server"]

log = logging.getLogger(__name__)
T = TypeVar("T")


def via_server(call: Callable[[TutorClient], T]) -> T | None:
    """`call` on the resident server, or None when this process must answer (after saying why)."""
    from tutor.api.client import ServerUnavailable

    settings = state.settings()
    client = state.server()
    if client is None:
        log.info(
            "Answered in-process (cli.server=%s; no live tutor serve announced in %s)",
            settings.cli.server,
            settings.data_dir / "serve.json",
        )
        return None
    try:
        result = call(client)
    except ServerUnavailable as exc:
        err_console.print(f"[yellow]warning:[/] {exc}; answering in-process instead", highlight=False)
        log.info("Answered in-process after the server failed")
        return None
    log.info("Answered by the tutor server at %s", client.url)
    return result
