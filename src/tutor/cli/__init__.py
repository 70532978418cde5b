"""The `tutor` command line: parse, call the application, print.  Nothing else lives here.

Commands are grouped by module (index, evaluate, learning, answers, resources); each only
translates.  Library errors become one red line and exit code 2 in one place (`_TutorGroup`).
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from tutor.cli import answers, evaluate, index, learning, quiz, resources, serve, store
from tutor.cli._state import TutorGroup, err_console, state
from tutor.errors import TutorError

__all__ = ["app", "run"]

app = typer.Typer(
    cls=TutorGroup,
    help="tutor: a grounded tutor over learning roadmaps and articles (Chinese and English).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def main(
    profile: Annotated[
        str | None,
        typer.Option(
            "--profile",
            "-p",
            help="Profile(s) from configs/, comma-separated, merged in order "
            "(default: $TUTOR_PROFILE or 'default').",
        ),
    ] = None,
    data_dir: Annotated[
        Path | None,
        typer.Option(
            "--data-dir",
            help="Directory for everything the tutor writes (default: $TUTOR_DATA_DIR or ./data).",
        ),
    ] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log progress details to stderr.")] = False,
) -> None:
    """Global options apply to every command."""
    logging.basicConfig(
        level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr
    )
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    state.configure(profile, data_dir, verbose)


for group in (index, evaluate, learning, answers, resources, quiz, store, serve):
    group.register(app)


def run() -> None:
    """Console-script entry point (`tutor`)."""
    try:
        app()
    except TutorError as exc:  # pragma: no cover - the group handles errors raised by commands
        err_console.print(f"[bold red]error:[/] {exc}", highlight=False)
        sys.exit(2)
