"""What every command shares: the application for the global options, consoles, the error handler."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from typer.core import TyperGroup

from tutor.errors import TutorError

if TYPE_CHECKING:
    from tutor.api.client import TutorClient
    from tutor.app import App
    from tutor.config import Settings

__all__ = ["TutorGroup", "console", "err_console", "print_json", "progress_bar", "state"]

console = Console()
err_console = Console(stderr=True)


class TutorGroup(TyperGroup):
    """The one error handler: a library error is one red line on stderr and exit code 2."""

    def invoke(self, ctx: Any) -> Any:  # click's Context, vendored by typer under a private name
        try:
            return super().invoke(ctx)
        except TutorError as exc:
            err_console.print(f"[bold red]error:[/] {exc}", highlight=False)
            raise typer.Exit(2) from exc


class _State:
    """The global options, and the settings and application built from them on first use.

    `tutor.app` (and with it torch, Chroma, LangChain) is imported only when a command needs the
    application in this process: with a resident `tutor serve`, `ask` and `retrieve` never do."""

    def __init__(self) -> None:
        self.profile: str | None = None
        self.data_dir: Path | None = None
        self.verbose = False
        self._settings: Settings | None = None
        self._app: App | None = None

    def configure(self, profile: str | None, data_dir: Path | None, verbose: bool) -> None:
        self.profile, self.data_dir, self.verbose = profile, data_dir, verbose
        self._settings, self._app = None, None

    def settings(self) -> Settings:
        if self._settings is None:
            from tutor.config import load_settings

            self._settings = load_settings(self.profile, data_dir=self.data_dir)
            # -v wins over the profile's log level; without it the profile decides
            level = logging.INFO if self.verbose else self._settings.log_level.upper()
            logging.getLogger("tutor").setLevel(level)
        return self._settings

    def app(self) -> App:
        if self._app is None:
            from tutor.app import build

            self._app = build(self.settings())
        return self._app

    def has_app(self) -> bool:
        """Whether this process already built the application (then reuse it rather than parse twice)."""
        return self._app is not None

    def server(self) -> TutorClient | None:
        """The resident `tutor serve` to ask instead of this process (`cli.server`), or None."""
        from tutor.api.client import connect

        settings = self.settings()
        return connect(settings.cli, settings.data_dir, settings.profiles)


state = _State()


def print_json(payload: Any) -> None:
    typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))


def progress_bar(total: int, label: str) -> tuple[Progress, Callable[[Any], None]]:
    """A bar on stderr (only on a terminal) and the callback that advances it."""
    bar = Progress(
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        disable=not sys.stderr.isatty(),
    )
    task = bar.add_task(label, total=total)
    return bar, lambda _result: bar.advance(task)
