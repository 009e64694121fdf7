#!/usr/bin/env bash
# Rasa Open Source 3.6 for the `rasa` NLU backend, in its own Python 3.10 virtual
# environment outside the clone (re-used by every checkout and CI run on the machine).
#
#   scripts/rasa.sh setup                 create the venv and install Rasa (first run only)
#   scripts/rasa.sh train [CONFIG] [OUT]  train an NLU model on nlu/data and the questions of
#                                         flows/faq.yml; prints its path
#   scripts/rasa.sh serve [CONFIG|MODEL]  train if needed (or take MODEL.tar.gz), then serve
#                                         /model/parse on 127.0.0.1:5005 (--enable-api)
#   scripts/rasa.sh model [CONFIG]        print the trained model's path (exit 1 if none)
#   scripts/rasa.sh python                print the Python 3.10 it uses (exit 1 if none)
#
# Environment: TREMPLIN_RASA_HOME (default ${XDG_CACHE_HOME:-$HOME/.cache}/tremplin/rasa),
# RASA_PORT (5005), RASA_HOST (127.0.0.1), PYTHON310 (a Python 3.10 to use).
# A model is named after the hash of its config and data, so `train` only trains when
# either changed; with an explicit OUT folder it always trains into that folder.
set -euo pipefail
cd "$(dirname "$0")/.."

RASA_VERSION="3.6.20"
HOME_DIR="${HOME:-$(getent passwd "$(id -u)" | cut -d: -f6)}"
RASA_HOME="${TREMPLIN_RASA_HOME:-${XDG_CACHE_HOME:-$HOME_DIR/.cache}/tremplin/rasa}"
VENV="$RASA_HOME/venv-$RASA_VERSION"
MODELS="$RASA_HOME/models"
NLU_DIR="${BOT_NLU_DIR:-nlu}"
export RASA_TELEMETRY_ENABLED="${RASA_TELEMETRY_ENABLED:-false}" TF_CPP_MIN_LOG_LEVEL="${TF_CPP_MIN_LOG_LEVEL:-2}"

find_python310() {
    local candidate
    for candidate in "${PYTHON310:-}" python3.10 \
        "$(pyenv root 2>/dev/null || echo "${PYENV_ROOT:-$HOME_DIR/.pyenv}")"/versions/3.10*/bin/python3.10 \
        /usr/bin/python3.10 /usr/local/bin/python3.10; do
        [ -n "$candidate" ] || continue
        if command -v "$candidate" >/dev/null 2>&1 &&
            "$candidate" -c 'import sys, venv; sys.exit(sys.version_info[:2] != (3, 10))' \
                >/dev/null 2>&1; then
            command -v "$candidate"
            return 0
        fi
    done
    return 1
}

setup() {
    if [ -f "$VENV/.ready" ]; then
        return 0
    fi
    local python
    if ! python=$(find_python310); then
        echo "Rasa 3.6 needs Python 3.10, and none was found (set PYTHON310=/path/to/python3.10)." >&2
        exit 3
    fi
    echo "Creating the Rasa $RASA_VERSION environment in $VENV (first run only; large download)..." >&2
    mkdir -p "$RASA_HOME"
    rm -rf "$VENV"
    "$python" -m venv "$VENV"
    "$VENV/bin/python" -m pip install --quiet --upgrade "pip<25"
    # Rasa 3.6 imports pkg_resources, which setuptools 70 and later no longer ship whole.
    "$VENV/bin/python" -m pip install --quiet "rasa==$RASA_VERSION" "setuptools<70"
    "$VENV/bin/rasa" --version >&2
    touch "$VENV/.ready"
}

FAQ_FILE="${BOT_FLOWS_DIR:-flows}/faq.yml"

model_hash() {
    cat "$1" $(find "$NLU_DIR/data" -name '*.yml' | LC_ALL=C sort) $(ls "$FAQ_FILE" 2>/dev/null) |
        sha256sum | cut -c1-16
}

training_data() {
    # nlu/data plus the questions of flows/faq.yml (intents faq_<id>), in a folder of $1.
    local folder="$1/data"
    rm -rf "$folder" && mkdir -p "$folder"
    cp -r "$NLU_DIR/data/." "$folder/"
    if [ -f "$FAQ_FILE" ]; then
        "$VENV/bin/python" scripts/faq_to_rasa.py "$FAQ_FILE" >"$folder/faq.yml"
    fi
    echo "$folder"
}

train() {
    local config out name data
    config=$(realpath "${1:-$NLU_DIR/config.yml}")
    out="${2:-}"
    setup
    data=$(training_data "$RASA_HOME")
    name="nlu-$(model_hash "$config")"
    if [ -z "$out" ]; then
        out="$MODELS"
        if [ -f "$out/$name.tar.gz" ]; then
            echo "$out/$name.tar.gz"
            return 0
        fi
    fi
    mkdir -p "$out"
    out=$(realpath "$out")
    echo "Training the Rasa NLU model on $data with $config..." >&2
    # Rasa writes its caches in the working folder: keep them out of the clone.
    (cd "$RASA_HOME" && "$VENV/bin/rasa" train nlu --config "$config" --nlu "$data" \
        --out "$out" --fixed-model-name "$name" >&2)
    echo "$out/$name.tar.gz"
}

model() {
    # The cached model for the current config and data, without training (exit 1 if none).
    local config name
    config=$(realpath "${1:-$NLU_DIR/config.yml}")
    name="nlu-$(model_hash "$config")"
    if [ -f "$VENV/.ready" ] && [ -f "$MODELS/$name.tar.gz" ]; then
        echo "$MODELS/$name.tar.gz"
    else
        echo "No Rasa model for the current nlu/ yet: run scripts/rasa.sh train" >&2
        return 1
    fi
}

serve() {
    local model
    case "${1:-}" in
        *.tar.gz) model=$(realpath "$1"); setup ;;
        *) model=$(train "${1:-}") ;;
    esac
    echo "Serving $model on http://${RASA_HOST:-127.0.0.1}:${RASA_PORT:-5005}" >&2
    exec "$VENV/bin/rasa" run --enable-api --model "$model" \
        --interface "${RASA_HOST:-127.0.0.1}" --port "${RASA_PORT:-5005}"
}

case "${1:-}" in
    setup) setup ;;
    train) shift; train "$@" ;;
    serve) shift; serve "$@" ;;
    model) shift; model "$@" ;;
    python) find_python310 ;;
    *)
        sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//' >&2
        exit 2
        ;;
esac
