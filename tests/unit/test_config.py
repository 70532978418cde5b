from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from tutor.cli import app
from tutor.config import load_settings
from tutor.errors import ConfigError


def test_profiles_merge_in_order_and_env_overrides(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    extra = tmp_path / "extra.yaml"
    extra.write_text("chunking:\n  chunk_size: 900\nretrieval:\n  k: 7\n", encoding="utf-8")
    s = load_settings(["default", "test", str(extra)])
    assert s.profiles == ["default", "test", str(extra)]
    assert s.chunking.chunk_size == 900
    assert s.chunking.chunk_overlap == 80  # deep merge keeps the sibling from default.yaml
    assert s.corpus.max_file_mb == 1  # from test.yaml
    monkeypatch.setenv("TUTOR_RETRIEVAL__K", "3")
    assert load_settings(["default", str(extra)]).retrieval.k == 3


def test_flags_beat_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("TUTOR_DATA_DIR", str(tmp_path / "env"))
    assert load_settings().data_dir == tmp_path / "env"
    assert load_settings(data_dir=tmp_path / "flag").data_dir == tmp_path / "flag"


def test_unknown_profile_names_the_alternatives() -> None:
    with pytest.raises(ConfigError, match=r"Profile 'nope' not found.*default"):
        load_settings("nope")


def test_invalid_value_is_a_config_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TUTOR_CHUNKING__CHUNK_OVERLAP", "5000")
    with pytest.raises(ConfigError, match="chunk_overlap"):
        load_settings()


def test_unknown_setting_is_rejected(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("retrival:\n  k: 3\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="retrival"):
        load_settings(["default", str(bad)])


def test_config_show_prints_effective_settings(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["--data-dir", str(tmp_path / "d"), "config", "show", "--json"])
    assert result.exit_code == 0, result.output
    assert '"chunk_size": 600' in result.output
    assert str(tmp_path / "d") in result.output
    assert '"test"' in result.output


def test_old_llm_backend_key_still_selects_the_backend(monkeypatch: pytest.MonkeyPatch, caplog) -> None:
    monkeypatch.setenv("TUTOR_LLM__BACKEND", "llamacpp")
    with caplog.at_level("WARNING", logger="tutor.config"):
        assert load_settings().llm.kind == "llamacpp"  # wins over the profile's `kind`
    assert "llm.backend is deprecated" in caplog.text
    monkeypatch.delenv("TUTOR_LLM__BACKEND")
    monkeypatch.setenv("TUTOR_LLM__KIND", "llamacpp")
    assert load_settings().llm.kind == "llamacpp"


def test_api_key_is_secret_and_read_from_the_named_variable(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("TUTOR_LLM_API_KEY", "sk-test-123")
    settings = load_settings()
    assert settings.llm.api_key is not None and settings.llm.api_key.get_secret_value() == "sk-test-123"
    result = CliRunner().invoke(app, ["--data-dir", str(tmp_path / "d"), "config", "show", "--json"])
    assert result.exit_code == 0 and "sk-test-123" not in result.output  # printed masked


def test_verbose_shows_the_library_info_logs(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import logging

    monkeypatch.setenv("TUTOR_LOG_LEVEL", "WARNING")
    runner = CliRunner()
    assert runner.invoke(app, ["--data-dir", str(tmp_path), "config", "show"]).exit_code == 0
    assert logging.getLogger("tutor").getEffectiveLevel() == logging.WARNING  # the configured level
    assert runner.invoke(app, ["-v", "--data-dir", str(tmp_path), "config", "show"]).exit_code == 0
    assert logging.getLogger("tutor").getEffectiveLevel() == logging.INFO


def test_library_errors_are_one_line_and_exit_code_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["--data-dir", str(tmp_path), "retrieve", "   "])
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        "error: question: empty question; ask something about the material"
    ]
