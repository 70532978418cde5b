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
# PostgreSQL 15 for the shared-state tests (they start a throwaway cluster; TUTOR_TEST_PG_URL names another)
if [[ -z "${TUTOR_TEST_PG_URL:-}" && ! -x /usr/lib/postgresql/15/bin/initdb ]]; then
  sudo=""; [[ $(id -u) -ne 0 ]] && command -v sudo >/dev/null 2>&1 && sudo="sudo"
  echo "==> installing PostgreSQL 15 for the shared-state tests (apt)"
  $sudo apt-get install -y -qq postgresql-15 >/dev/null \
    || { $sudo apt-get update -qq && $sudo apt-get install -y -qq postgresql-15 >/dev/null; } \
    || echo "warning: could not install postgresql-15; the PostgreSQL tests will say what to do" >&2
fi
# nginx: the balancer of the scale-out test and `nginx -t` of deploy/nginx.conf (Debian's package)
if ! command -v nginx >/dev/null 2>&1 && [[ ! -x /usr/sbin/nginx ]]; then
  sudo=""; [[ $(id -u) -ne 0 ]] && command -v sudo >/dev/null 2>&1 && sudo="sudo"
  echo "==> installing nginx for the deployment tests (apt)"
  $sudo apt-get install -y -qq nginx >/dev/null \
    || { $sudo apt-get update -qq && $sudo apt-get install -y -qq nginx >/dev/null; } \
    || echo "warning: could not install nginx; the deployment tests will say what to do" >&2
fi
# axe-core (accessibility checks the browser tests inject into the page), from npm, pinned major
if [[ ! -f .cache/axe/node_modules/axe-core/axe.min.js ]]; then
  echo "==> installing axe-core for the browser tests (npm)"
  if command -v npm >/dev/null 2>&1 || { sudo=""; [[ $(id -u) -ne 0 ]] && command -v sudo >/dev/null 2>&1 && sudo="sudo"; \
       $sudo apt-get install -y -qq npm >/dev/null 2>&1; }; then
    mkdir -p .cache/axe && npm install --prefix .cache/axe --no-audit --no-fund --silent axe-core@4 \
      || echo "warning: could not install axe-core; the e2e tests will say what to do" >&2
  else
    echo "warning: npm is missing; the e2e tests will say what to do" >&2
  fi
fi
scripts/setup.sh test
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 TOKENIZERS_PARALLELISM=false GRADIO_ANALYTICS_ENABLED=False
echo "==> ruff (lint, format check) and mypy"
.venv/bin/ruff check src tests bench
.venv/bin/ruff format --check src tests bench
.venv/bin/mypy   # files and options: [tool.mypy] in pyproject.toml
exec .venv/bin/python -m pytest "$@"
