#!/usr/bin/env bash
# One command on a fresh machine: install, then open the tutor in the browser.
# The UI starts at once and indexes corpus/ behind it (a no-op when nothing changed);
# no GPU and no network needed. Extra arguments go to `tutor ui` (e.g. --port 8080).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export HF_HUB_OFFLINE=1 TOKENIZERS_PARALLELISM=false GRADIO_ANALYTICS_ENABLED=False
exec .venv/bin/tutor ui "$@"
