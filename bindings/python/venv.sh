# Sourced (from the repository root) by scripts/test-python.sh and scripts/demo.d/python.sh.
# `python_venv [--test-tools]` makes bindings/python/.venv if it is missing (installing Debian's
# python3-venv when venv is unavailable), with --test-tools installs pytest and mypy into it
# (once), and (re)installs the libdinero package from bindings/python. Sets PYTHON_VENV.
PYTHON_VENV="$PWD/bindings/python/.venv"

python_venv() {
  if [ ! -x "$PYTHON_VENV/bin/python" ]; then
    rm -rf "$PYTHON_VENV"
    if ! python3 -m venv "$PYTHON_VENV" >/dev/null 2>&1; then
      rm -rf "$PYTHON_VENV"
      local sudo=""
      [ "$(id -u)" -eq 0 ] || sudo="sudo"
      echo "installing python3-venv"
      DEBIAN_FRONTEND=noninteractive $sudo apt-get update -qq
      DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
        python3-venv python3-pip >/dev/null
      python3 -m venv "$PYTHON_VENV"
    fi
  fi
  local pip=("$PYTHON_VENV/bin/python" -m pip --disable-pip-version-check --quiet)
  if [ "${1:-}" = --test-tools ] &&
     ! "$PYTHON_VENV/bin/python" -c 'import pytest, mypy' >/dev/null 2>&1; then
    "${pip[@]}" install pytest mypy
  fi
  "${pip[@]}" install --no-deps --force-reinstall ./bindings/python
}
