"""Fixtures of the integration tests that start real servers."""

from __future__ import annotations

from tests.integration.api_fixtures import api_server, small_index_template

__all__ = ["api_server", "small_index_template"]
