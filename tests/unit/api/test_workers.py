"""`tutor serve --workers N`: refused with the UI (Gradio keeps a page in one process), and a worker
process started any other way says how it is meant to start."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from tutor.api.workers import ENV, worker_app
from tutor.cli import app as cli
from tutor.errors import TutorError


def test_workers_need_no_ui_and_say_why() -> None:
    result = CliRunner().invoke(cli, ["serve", "--workers", "2", "--port", "0"])
    assert result.exit_code == 2
    assert "--workers needs --no-ui" in result.output


def test_workers_must_be_at_least_one() -> None:
    result = CliRunner().invoke(cli, ["serve", "--no-ui", "--workers", "0"])
    assert result.exit_code != 0
    assert "--workers" in result.output


def test_a_worker_outside_tutor_serve_names_the_command(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV, raising=False)
    with pytest.raises(TutorError, match="tutor serve --workers N"):
        worker_app()
