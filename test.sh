#!/usr/bin/env sh
# Set up a virtual environment with the development tools (first run only), then run
# every check CI runs: ruff, formatting, mypy, import contracts, and the test suite.
# Extra arguments go to pytest, e.g. `./test.sh -k intake`.
set -eu
cd "$(dirname "$0")"
. ./scripts/venv.sh
ensure_venv "[dev]"
.venv/bin/ruff check bot tests benchmarks scripts
.venv/bin/ruff format --check bot tests benchmarks scripts
.venv/bin/mypy
.venv/bin/lint-imports
exec .venv/bin/pytest "$@"
