#!/usr/bin/env bash
# One command on a fresh machine: install, index the bundled corpus, answer a sample question.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export HF_HUB_OFFLINE=1
.venv/bin/tutor ingest
.venv/bin/tutor retrieve "有哪些向量数据库可以选？" --k 3
.venv/bin/tutor next --known "1,2,3"
