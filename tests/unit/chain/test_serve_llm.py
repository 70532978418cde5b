"""`tutor serve-llm`: the vLLM command line, and one clear line where vLLM cannot run."""

from __future__ import annotations

import importlib.util

import pytest
from typer.testing import CliRunner

from tutor.cli import app
from tutor.config import ServeSettings, load_settings
from tutor.errors import ConfigError
from tutor.llm.serve import check_vllm_available, vllm_command


def test_vllm_command_carries_the_profile_settings() -> None:
    settings = load_settings(["default", "gpu-vllm"])
    cmd = vllm_command(settings.serve)
    assert cmd[:3] == ["vllm", "serve", "Qwen/Qwen2.5-7B-Instruct"]
    for flag, value in (
        ("--port", "8000"),
        ("--gpu-memory-utilization", "0.9"),
        ("--max-model-len", "8192"),
        ("--tensor-parallel-size", "1"),
    ):
        assert cmd[cmd.index(flag) + 1] == value
    assert "--enable-prefix-caching" in cmd
    two_gpus = vllm_command(
        ServeSettings(tensor_parallel_size=2, enable_prefix_caching=False, extra_args=["--x"])
    )
    assert two_gpus[two_gpus.index("--tensor-parallel-size") + 1] == "2"
    assert "--enable-prefix-caching" not in two_gpus and two_gpus[-1] == "--x"


@pytest.mark.skipif(importlib.util.find_spec("vllm") is not None, reason="vLLM is installed here")
def test_without_vllm_the_command_says_so_in_one_line() -> None:
    with pytest.raises(ConfigError, match="vLLM is not installed"):
        check_vllm_available()
    result = CliRunner().invoke(app, ["serve-llm"])
    assert result.exit_code == 2
    assert "vLLM is not installed" in result.output and "Traceback" not in result.output
