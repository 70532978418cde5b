"""The service layer the UI calls, and the UI's safe defaults, without a browser."""

from __future__ import annotations

import os

import pytest

from tests.conftest import make_settings
from tutor.services import Services, build_services
from tutor.ui import formatting as fmt

pytestmark = pytest.mark.integration


def test_status_reports_backend_index_and_embedder(corpus_services: Services) -> None:
    status = fmt.status(corpus_services.llm, corpus_services.index.manifest(), corpus_services.index.model_id)
    assert status["llm"].startswith("none") and status["llm_ok"] is False
    assert status["documents"] == 6 and status["chunks"] > 300  # 5 corpus documents + the resource cards
    assert status["embedder"] == "multilingual-e5-small"


def test_resource_rows_filter(corpus_services: Services) -> None:
    def rows_for(**filters):
        return fmt.resource_rows(corpus_services.catalog, corpus_services.curriculum, **filters)

    rows = rows_for()
    assert len(rows) == 102  # every linked resource of the catalog
    assert all(r["status"] for r in rows)
    videos_zh = rows_for(kind="视频", language="中文")
    assert videos_zh and all("视频" in r["type"] and "中文" in r["language"] for r in videos_zh)
    assert all(r["stage"] == 3 for r in rows_for(stage=3))
    assert any("PyTorch" in r["name"] for r in rows_for(query="pytorch"))


def test_checklist_state_is_applied_exactly(corpus_services: Services) -> None:
    corpus_services.ensure_learner("ticker")
    assert corpus_services.set_finished("ticker", [1, 2, 3]).finished == [1, 2, 3]
    assert corpus_services.set_finished("ticker", [1, 3]).finished == [1, 3]
    assert corpus_services.ensure_learner("ticker").finished == [1, 3]  # idempotent, nothing reset


def test_logged_in_users_only_ever_act_as_themselves(tmp_path, models_dir, corpus_services: Services) -> None:
    import gradio as gr

    from tutor.ui.app import UIState

    settings = make_settings(
        corpus_services.settings.data_dir, models_dir, ui={"auth": ["amy:pw1", "bob:pw2"]}
    )
    ui = UIState(build_services(settings, embedder=corpus_services.embedder))
    assert ui.auth == [("amy", "pw1"), ("bob", "pw2")]
    assert ui.learner("bob", gr.Request(username="amy")) == "amy"  # the page cannot pick another learner
    local = UIState(corpus_services)
    assert local.learner("", None) == "me" and local.learner("carol", None) == "carol"


def test_safe_defaults() -> None:
    from tutor.config import load_settings
    from tutor.ui import app  # noqa: F401 - importing sets the analytics switch before Gradio loads

    assert os.environ["GRADIO_ANALYTICS_ENABLED"] == "False"
    ui = load_settings().ui
    assert ui.host == "127.0.0.1" and ui.auth == [] and ui.concurrency_limit >= 1
