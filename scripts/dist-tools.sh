# Sourced by scripts/dist.sh and scripts/test-dist.sh: `dist_tools` installs, once, what
# building and checking the packages needs, into places found again on the next run:
#   ~/.cargo/bin:  cargo-deb, cargo-zigbuild and cargo-about (cargo install --locked, from
#                  crates.io);
#   .venv-dist/:   zig (PyPI's ziglang), auditwheel, build and wheel (from PyPI);
#   Debian:        help2man, dpkg-dev, lintian, abigail-tools, composer, npm, when missing.
# Afterwards DIST_PYTHON is the tools' Python (cargo-zigbuild runs zig through it).

DIST_VENV="$root/.venv-dist"
DIST_PYTHON="$DIST_VENV/bin/python"
export CARGO_ZIGBUILD_PYTHON_PATH="$DIST_PYTHON"

dist_apt_get() { # PACKAGE...
  echo "dist: installing $* (Debian)"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get update -qq </dev/null
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$@" \
    </dev/null >/dev/null
}

dist_apt_install() { # COMMAND=PACKAGE...: the packages of the commands that are missing
  local missing=() pair
  for pair in "$@"; do
    command -v "${pair%%=*}" >/dev/null 2>&1 || missing+=("${pair#*=}")
  done
  [ ${#missing[@]} -eq 0 ] || dist_apt_get "${missing[@]}"
}

dist_tools() {
  dist_apt_install help2man=help2man dpkg-shlibdeps=dpkg-dev lintian=lintian abidw=abigail-tools \
    php=php-cli composer=composer node=nodejs npm=npm
  # Composer reads a package zip of an artifact repository (the PHP guide's route) with ext-zip.
  php -r 'exit(extension_loaded("zip") ? 0 : 1);' || dist_apt_get php-zip
  export PATH="$HOME/.cargo/bin:$PATH"
  local tool
  # cargo-about writes the third-party notices; its command is behind its `cli` feature.
  for tool in cargo-deb cargo-zigbuild "cargo-about --features cli"; do
    if ! command -v "${tool%% *}" >/dev/null 2>&1; then
      echo "dist: cargo install --locked $tool (once)"
      # shellcheck disable=SC2086 # the name, then its options
      cargo install --quiet --locked $tool </dev/null
    fi
  done
  if ! "$DIST_PYTHON" -c 'import ziglang, auditwheel, build, wheel' >/dev/null 2>&1; then
    echo "dist: installing ziglang, auditwheel, build and wheel into $DIST_VENV (once)"
    python3 -c 'import ensurepip' >/dev/null 2>&1 || dist_apt_get python3-venv
    [ -x "$DIST_PYTHON" ] || python3 -m venv "$DIST_VENV"
    "$DIST_PYTHON" -m pip --disable-pip-version-check --quiet install ziglang auditwheel build wheel \
      </dev/null
  fi
}
