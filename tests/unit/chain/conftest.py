"""The shipped roadmap, parsed once per session for the chain's unit tests (parsing is pure: no index, no model)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tutor.curriculum.graph import load_curriculum_config
from tutor.curriculum.learners import Roadmap
from tutor.curriculum.parser import load_curriculum

REPO = Path(__file__).resolve().parents[3]
ROADMAP = REPO / "corpus" / "ai-learning-roadmap.md"


@pytest.fixture(scope="session")
def cur():
    return load_curriculum(ROADMAP)


@pytest.fixture(scope="session")
def cfg():
    return load_curriculum_config(REPO / "configs" / "curriculum.yaml")


@pytest.fixture(scope="module")
def roadmap() -> Roadmap:
    """The learner-facing roadmap (parsed roadmap + curriculum config), once per test module."""
    return Roadmap(ROADMAP, REPO / "configs" / "curriculum.yaml", 2_000_000)
