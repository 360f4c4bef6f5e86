#!/usr/bin/env bash
# Set up nnviz on a Debian machine: system packages, a .venv, torch (CPU) and the project.
# Safe to run again: it installs only what is missing. Used by `make video` and `make test`.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=${VENV:-.venv}
EXTRAS=${EXTRAS:-dev,slides,bench}
TORCH_SPEC=${TORCH_SPEC:-torch==2.13.0}

say() { printf 'setup: %s\n' "$*" >&2; }

# --- system packages ------------------------------------------------------------------------
apt_packages=(pkg-config libcairo2-dev libpango1.0-dev ffmpeg fonts-dejavu-core
              texlive-latex-base texlive-latex-extra texlive-fonts-recommended dvisvgm)
command -v cc >/dev/null 2>&1 || apt_packages+=(gcc libc6-dev)
if ! command -v python3 >/dev/null 2>&1; then
    apt_packages+=(python3 python3-venv python3-dev)
elif ! python3 -c 'import venv, ensurepip' >/dev/null 2>&1; then
    apt_packages+=(python3-venv python3-dev)
fi

missing=()
for package in "${apt_packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' \
        || missing+=("$package")
done
if ((${#missing[@]})); then
    if [ "$(id -u)" -eq 0 ]; then sudo=(); elif command -v sudo >/dev/null; then sudo=(sudo); else
        say "missing system packages: ${missing[*]}; install them as root, then run again"
        exit 1
    fi
    say "installing system packages: ${missing[*]} (LaTeX takes a few minutes)"
    "${sudo[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends \
        "${missing[@]}" >/dev/null
fi

# --- Python environment ---------------------------------------------------------------------
if [ ! -x "$VENV/bin/python" ]; then
    say "creating $VENV"
    python3 -m venv "$VENV"
fi
stamp="$VENV/.nnviz-installed"
want="$(sha256sum pyproject.toml scripts/setup.sh | sha256sum | cut -c1-16) $EXTRAS"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    exit 0
fi
pip=("$VENV/bin/python" -m pip --disable-pip-version-check -q)
if ! "$VENV/bin/python" -c 'import torch' >/dev/null 2>&1; then
    # The pinned CPU build; an unpinned `torch` would pull a multi-GB CUDA build.
    say "installing $TORCH_SPEC (CPU)"
    "${pip[@]}" install "$TORCH_SPEC"
fi
say "installing nnviz[$EXTRAS] (builds pycairo and manimpango the first time)"
"${pip[@]}" install -e ".[$EXTRAS]"
echo "$want" > "$stamp"
say "ready: $VENV"
