#!/usr/bin/env sh
# Set up a virtual environment (first run only) and chat with the bot in this terminal,
# on the embedded defaults: SQLite under data/runtime/, built-in NLU, local chat.
# Extra arguments go to `bot`, e.g. `./run.sh serve --port 8000`.
set -eu
cd "$(dirname "$0")"
. ./scripts/venv.sh
ensure_venv ""
if [ "$#" -eq 0 ]; then set -- chat; fi
exec .venv/bin/bot "$@"
