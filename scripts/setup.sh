#!/usr/bin/env bash
# Create .venv at the repository root and install tutor into it (editable).
# Usage: scripts/setup.sh [EXTRAS]   e.g. scripts/setup.sh test
# A second run with the same pyproject.toml and extras skips pip entirely.
set -euo pipefail
cd "$(dirname "$0")/.."
extras="${1:-}"
python="${PYTHON:-python3}"
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "error: tutor needs Python 3.11+ (found: $("$python" --version 2>&1)); set PYTHON=/path/to/python3.11" >&2
  exit 2
fi
if [[ ! -x .venv/bin/python ]]; then
  echo "==> creating .venv"
  "$python" -m venv .venv
fi
stamp=".venv/.tutor-installed-${extras:-base}"
want="$(sha256sum pyproject.toml | cut -d' ' -f1)"
if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
  echo "==> .venv is up to date (${extras:-base})"
  exit 0
fi
echo "==> installing tutor${extras:+[$extras]} into .venv (first run takes a few minutes)"
.venv/bin/python -m pip install --quiet --upgrade pip
spec="."
[[ -n "$extras" ]] && spec=".[$extras]"
.venv/bin/python -m pip install --quiet -e "$spec"
echo "$want" > "$stamp"
