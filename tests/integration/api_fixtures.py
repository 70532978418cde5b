"""A real `tutor serve` (API + UI) on a free loopback port over a small index (the roadmap), with
keys for one learner and one client; shared by the API tests and the schemathesis run."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import CORPUS, make_settings
from tests.servers import free_port, start_tutor_serve, stop, tutor_env, wait_http

RATE_LIMIT = 300  # per key and minute: above what the tests send with one key, except the 429 test


@dataclass
class ApiServer:
    url: str
    data_dir: Path
    learner_key: str  # learner "amy"
    client_key: str
    revoked_key: str
    log: Path


def small_index(root: Path, models_dir: Path, embedder) -> tuple[Path, Path]:
    """Index the roadmap alone under `root/data`, its answer texts' vectors warmed as a server warms
    them after start-up; returns (data dir, corpus dir)."""
    from tutor.services import build_services

    corpus = root / "corpus"
    corpus.mkdir()
    shutil.copy(CORPUS / "ai-learning-roadmap.md", corpus)
    data = root / "data"
    settings = make_settings(
        data,
        models_dir,
        corpus={"paths": [corpus]},
        curriculum={"roadmap": corpus / "ai-learning-roadmap.md"},
    )
    services = build_services(settings, embedder=embedder)
    report = services.ingest()
    assert not report.failed, report.failed
    assert services.warm_answer_vectors() > 0
    return data, corpus


@pytest.fixture(scope="session")
def small_index_template(
    tmp_path_factory: pytest.TempPathFactory, models_dir: Path, embedder
) -> tuple[Path, Path]:
    """One small index per session (the roadmap's ingest and answer vectors cost the same every time);
    each server gets a copy of its data dir (`copy_small_index`), so none sees another's learners,
    keys or announcement.  The corpus dir is shared, read-only: the copies' manifests name it."""
    return small_index(tmp_path_factory.mktemp("small-index"), models_dir, embedder)


def copy_small_index(template: tuple[Path, Path], root: Path) -> tuple[Path, Path]:
    """A private copy of the template's data dir under `root/data`; returns (data dir, corpus dir)."""
    data, corpus = template
    shutil.copytree(data, root / "data")
    return root / "data", corpus


@pytest.fixture(scope="session")
def api_server(
    tmp_path_factory: pytest.TempPathFactory, models_dir: Path, small_index_template: tuple[Path, Path]
) -> Iterator[ApiServer]:
    from tutor.api.keys import KeyStore
    from tutor.state.open import open_database
    from tutor.state.settings import StateSettings

    root = tmp_path_factory.mktemp("api")
    data, corpus = copy_small_index(small_index_template, root)
    keys = KeyStore(open_database(StateSettings(), data, "learners"))  # the server's learner store
    learner, client, revoked = (
        keys.create("amy's laptop", "amy"),
        keys.create("web"),
        keys.create("old", "amy"),
    )
    keys.revoke(revoked.key.id)
    env = tutor_env(
        data,
        models_dir,
        CORPUS__PATHS=f'["{corpus}"]',
        CURRICULUM__ROADMAP=str(corpus / "ai-learning-roadmap.md"),
        API__RATE_LIMIT=f"{RATE_LIMIT}/minute",
    )
    port = free_port()
    log = root / "serve.log"
    proc = start_tutor_serve(env, port, "--no-ingest", log=log)
    try:
        wait_http(f"http://127.0.0.1:{port}/readyz", proc, timeout_s=180)
        yield ApiServer(f"http://127.0.0.1:{port}", data, learner.secret, client.secret, revoked.secret, log)
    finally:
        stop(proc)
