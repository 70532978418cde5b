"""The Gradio UI mounted inside another FastAPI app (`tutor serve`: the API and the UI on one port),
with the same safe defaults as `tutor ui`: a bounded queue, optional logins, no uploads."""

from __future__ import annotations

from typing import Any

from tutor.app import App
from tutor.ui.app import UIState, _NoUploads, build_app
from tutor.ui.layout import CSS
from tutor.ui.panels import THEME

__all__ = ["mount_ui"]


def mount_ui(api: Any, app: App, state: UIState, path: str = "/") -> None:
    """Mount the UI on `api` (a FastAPI app) at `path`; routes `api` already has keep precedence."""
    import gradio as gr
    from starlette.middleware import Middleware

    cfg = app.settings.ui
    demo = build_app(app, state)
    demo.queue(default_concurrency_limit=cfg.concurrency_limit, max_size=cfg.max_queue)
    gr.mount_gradio_app(
        api,
        demo,
        path=path,
        auth=state.auth or None,
        show_error=True,
        css=CSS,
        theme=THEME,
        max_file_size="1kb",
        app_kwargs={"middleware": [Middleware(_NoUploads)]},
    )
