#!/usr/bin/env bash
# One command on a fresh machine: install with test extras and run the whole suite.
# The browser tests drive Debian's chromium (Playwright cannot download its own browser offline);
# it is installed here, with CJK fonts for readable screenshots, when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v chromium >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then
  sudo=""; [[ $(id -u) -ne 0 ]] && command -v sudo >/dev/null 2>&1 && sudo="sudo"
  echo "==> installing chromium and CJK fonts for the browser tests (apt)"
  $sudo apt-get install -y -qq chromium fonts-noto-cjk fonts-noto-color-emoji >/dev/null \
    || { $sudo apt-get update -qq && $sudo apt-get install -y -qq chromium fonts-noto-cjk fonts-noto-color-emoji >/dev/null; } \
    || echo "warning: could not install chromium; the e2e tests will say what to do" >&2
fi
scripts/setup.sh test
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 TOKENIZERS_PARALLELISM=false GRADIO_ANALYTICS_ENABLED=False
echo "==> ruff (lint, format check) and mypy"
.venv/bin/ruff check src tests bench
.venv/bin/ruff format --check src tests bench
.venv/bin/mypy   # files and options: [tool.mypy] in pyproject.toml
exec .venv/bin/python -m pytest "$@"
