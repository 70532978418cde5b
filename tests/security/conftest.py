"""The llama.cpp test server of the chain tests, for the injection tests' model mode."""

from tests.integration.test_chain import llama_server  # noqa: F401 - a fixture, used by name
