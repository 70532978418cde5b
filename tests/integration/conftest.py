"""Fixtures of the integration tests that start real servers."""

from tests.integration.api_fixtures import api_server

__all__ = ["api_server"]
