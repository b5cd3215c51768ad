#!/usr/bin/env bash
# Installs the system libraries rlsyn needs when they are missing: BLIS (the fastest matrix products on the
# machines we measured, docs/performance.md) and OpenBLAS (the fallback where BLIS is not packaged). Idempotent;
# without either, rlsyn still runs on its slower portable Swift GEMM.
set -euo pipefail
have() { ldconfig -p 2>/dev/null | grep -q "$1"; }
missing=()
have 'libblis\.so\.4' || missing+=(libblis4-pthread)
have 'libopenblas\.so\.0' || missing+=(libopenblas-dev)
[ ${#missing[@]} -eq 0 ] && exit 0
SUDO=""
if [ "$(id -u)" != "0" ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "Missing ${missing[*]} and this user cannot install them (run: apt-get install -y ${missing[*]}); continuing with what is there." >&2
    exit 0
  fi
fi
if command -v apt-get >/dev/null 2>&1; then
  echo "Installing ${missing[*]} (fast matrix products)..." >&2
  $SUDO apt-get update -qq >/dev/null
  for package in "${missing[@]}"; do
    # One at a time, so that a mirror without BLIS still gets OpenBLAS.
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$package" >/dev/null ||
      echo "Could not install $package; continuing without it." >&2
  done
else
  echo "No apt-get: install BLIS or OpenBLAS with your package manager; continuing with the slower Swift GEMM." >&2
fi
