# Shared by run.sh and test.sh: create .venv with Python 3.11+ and install the project.
# Re-installs only when pyproject.toml changed since the last install.
find_python() {
    for candidate in python3.13 python3.12 python3.11 python3; do
        if command -v "$candidate" >/dev/null 2>&1 &&
            "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
            echo "$candidate"
            return 0
        fi
    done
    echo "Tremplin needs Python 3.11 or newer (python3 --version)." >&2
    return 1
}

ensure_venv() {
    extras="$1"
    if [ ! -x .venv/bin/python ]; then
        python=$(find_python)
        "$python" -m venv .venv
        .venv/bin/python -m pip install --quiet --upgrade pip
    fi
    stamp=".venv/.installed$extras"
    if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
        echo "Installing Tremplin$extras in .venv (first run or pyproject.toml changed)..." >&2
        # Build tools are chatty: keep their output, show it only if the install fails.
        if ! .venv/bin/python -m pip install --quiet --editable ".$extras" >.venv/install.log 2>&1; then
            cat .venv/install.log >&2
            return 1
        fi
        touch "$stamp"
    fi
}
